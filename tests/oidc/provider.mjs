// A real OpenID Connect provider for the single sign-on tests (panva's oidc-provider, a certified
// implementation). Usage: node provider.mjs PORT REDIRECT_URI POST_LOGOUT_URI
// Its built-in development login form accepts any account id below with any password.
import Provider from 'oidc-provider';

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const people = {
  'wang.fang': { name: '王芳', email: 'wang.fang@qs.test', employee_number: '200001' },
  'li.qiang': { name: '李强', email: 'li.qiang@qs.test', employee_number: '200002' },
  stranger: { name: '外单位人员', email: 'stranger@qs.test', employee_number: '999999' },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'qs-academy',
    client_secret: 'qs-academy-test-secret',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name', 'employee_number'], email: ['email'] },
  conformIdTokenClaims: false, // the scope's claims in the ID token too, as most enterprise platforms do
  cookies: { keys: ['qs-academy-test-cookie-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    if (!people[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...people[id] }; } };
  },
});
provider.listen(Number(port), '127.0.0.1', () => { console.log('ready'); });
