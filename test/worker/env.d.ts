declare namespace Cloudflare {
  interface Env {
    ADMIN_TOKEN: string;
    ASSERTION_PRIVATE_JWK: string;
    TEST_PREVIOUS_PRIVATE_JWK: string;
  }
}
