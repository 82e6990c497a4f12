/** Test-only credentials and names the local provider servers (Node) and the tests (workerd) agree on. */
export const SECRETS = {
  RESEND_API_KEY: "re_test_0123456789abcdef",
  POSTMARK_SERVER_TOKEN: "pm-test-server-token-0000-1111",
  SES_ACCESS_KEY_ID: "AKIDTERNTEST0000",
  SES_SECRET_ACCESS_KEY: "ternTestSecretKey/K7MDENG+bPxRfiCYTESTKEY",
  SENDGRID_API_KEY: "SG.test-key.0123456789",
  MAILGUN_API_KEY: "key-test-0123456789abcdef",
  SMTP_PASSWORD: "s3cret pass:word",
} as const;

export const SMTP_USER = "tern-user";
export const SES_REGION = "eu-west-1";
export const MAILGUN_DOMAIN = "mg.juniper.example";

/**
 * The recipient's local part tells the fake APIs how to answer: rate-limited (429 with Retry-After: 7),
 * server-error (500), rejected (the provider's own 4xx refusal), hang (never answers), in-flight (Resend's 409
 * concurrent_idempotent_requests); anything else is accepted.
 */
export const FAULTS = ["rate-limited", "server-error", "rejected", "hang", "in-flight"] as const;
