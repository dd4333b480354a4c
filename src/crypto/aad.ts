// Associated data for SecretBox: binds each sealed secret to the row and column it belongs to,
// so a ciphertext copied into another row does not decrypt.

export const accessTokenAad = (integrationId: string) => `integration:${integrationId}:access`;
export const refreshTokenAad = (integrationId: string) => `integration:${integrationId}:refresh`;
export const webhookSecretAad = (integrationId: string, appName: string) => `integration-app:${integrationId}:${appName}:webhook-secret`;
export const attachUrlAad = (runId: string) => `command-run:${runId}:attach-url`;
export const sshPrivateKeyAad = (integrationId: string) => `integration:${integrationId}:ssh-private-key`;
