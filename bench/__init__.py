"""Benchmarks: `make bench` or `python -m bench`. Each prints ratios against a baseline measured in the same run."""


def signed_in(user_id: int, **extra: object) -> dict[str, object]:
    """Session keys for a benchmark's simulated browser: a server-side session row (and its Redis copy),
    as a real login makes one; call inside an app context."""
    import secrets

    from academy.database import db
    from academy.models import LoginSession
    from academy.people.services.sessions import mirror, token_key

    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=token_key(token), user_id=user_id, method="bench"))
    db.session.commit()
    mirror(token_key(token), user_id)
    return {"_user_id": str(user_id), "_fresh": True, "_sid": token, **extra}
