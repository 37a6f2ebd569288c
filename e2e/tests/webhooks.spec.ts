import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { signIn, snapshot } from './support.ts';

let receiver: Server;
let url: string;
const received: { signature: string; event: string; raw: string }[] = [];

test.beforeAll(async () => {
  // a receiver on loopback, which the e2e stack allows (DOLLY_ENDPOINT_ALLOWLIST=127.0.0.1,localhost)
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        signature: String(req.headers['x-dolly-signature']),
        event: String(req.headers['x-dolly-event']),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/e2e-hook`;
});
test.afterAll(() => {
  receiver?.close();
});

test('an admin adds a webhook, sees its secret once, sends a signed test and reads the delivery log', async ({
  page,
}) => {
  await signIn(page, 'admin@demo.dolly');
  await page.goto('/settings/webhooks');
  await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();

  // an internal address is refused with the server's reason on the field
  await page.getByLabel('URL').fill('https://169.254.169.254/latest');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await expect(page.getByText('internal address')).toBeVisible();

  await page.getByLabel('URL').fill(url);
  await page.getByLabel('Succeeded', { exact: true }).check();
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await expect(page.getByRole('heading', { name: 'Webhook added' })).toBeFocused();
  const secret = await page.getByLabel('Signing secret').inputValue();
  expect(secret).toMatch(/^whsec_/);

  const row = page.locator(`tr[data-webhook="${url}"]`);
  await expect(row).toContainText('Pending approval, Failed, Succeeded');
  await row.getByRole('button', { name: `Send a test to ${url}` }).click();
  const log = page.getByRole('table', { name: 'Delivery log' });
  await expect(log.getByText('Delivered')).toBeVisible({ timeout: 20_000 });
  await expect(log).toContainText('Test ping');
  await expect(log).toContainText('HTTP 200');
  await snapshot(page, 'settings-webhooks');

  const ping = received.find((r) => r.event === 'ping');
  expect(ping?.signature).toBe(
    `sha256=${createHmac('sha256', secret)
      .update(ping?.raw ?? '')
      .digest('hex')}`,
  );

  // shown once: gone after a reload
  await page.reload();
  await expect(page.getByLabel('Signing secret')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  await page.getByRole('button', { name: `Delete ${url}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete webhook' }).click();
  await expect(row).toHaveCount(0);
});
