import type { Page } from 'playwright-core';
import { ADMIN_TOKEN } from '../../support/stack';

/** Signs the page in to the console with the test stack's admin token, as an admin would. */
export async function signIn(page: Page, apiUrl: string): Promise<void> {
  await page.goto(`${apiUrl}/sign-in`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/integrations');
}
