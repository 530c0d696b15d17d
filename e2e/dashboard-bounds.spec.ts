import { TOKEN, dayAgo, expect, makeDevice, signIn, test } from './dashboard-helpers';
import { next } from '../src/collector/test-receipts';

test('the overview covers the last 366 days, names the 25 most frequent policy versions and sums the rest', async ({ page, collector }) => {
  const receipts: string[] = [];
  // v00 twice, v01…v25 once: 26 versions, one past the limit of 25.
  for (let i = 0; i <= 25; i++) {
    const version = `v${String(i).padStart(2, '0')}`;
    for (let k = 0; k < (i === 0 ? 2 : 1); k++) receipts.push(await next(await makeDevice(), { issuedAt: `${dayAgo(1)}T12:00:00.000Z`, policyVersion: version }));
  }
  // Backdated to 1970: outside the default window, so it cannot stretch the charts over 56 years.
  receipts.push(await next(await makeDevice(), { issuedAt: '1970-01-02T00:00:00.000Z', policyVersion: 'ancient' }));
  expect((await collector.post(receipts)).accepted).toHaveLength(28);
  const stats = await (await page.request.get(`${collector.url}/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  expect(stats.otherPolicyVersions.versions).toBe(1);

  await signIn(page, collector.url);
  await expect(page.getByTestId('total')).toHaveText('27');
  const latest = new Date(Date.now() + 600_000).toISOString().slice(0, 10);
  await expect(page.getByLabel('To day (UTC, inclusive)')).toHaveValue(latest);
  await expect(page.getByLabel('From day (UTC)')).toHaveValue(new Date(Date.parse(latest) - 365 * 86_400_000).toISOString().slice(0, 10));
  // 25 named rows, and the one version past them summed in the table's foot, apart from any named version.
  await expect(page.getByTestId('versions').locator('tbody tr')).toHaveCount(25);
  await expect(page.getByTestId('versions').locator('tfoot tr')).toHaveCount(1);
  await expect(page.getByTestId('versions').locator('tfoot tr td').first()).toHaveText('all others (1 version)');
  await expect(page.getByTestId('versions').locator('tfoot tr td').nth(3)).toHaveText('1');
  await expect(page.getByTestId('other-note')).toHaveText(
    'Only the most frequent are listed by name; the rest are summed (policy versions as “all others”, languages and purposes as (other)): 1 policy version, 0 languages, 0 purposes.',
  );

  await page.getByLabel('From day (UTC)').fill('1970-01-01');
  await page.getByLabel('To day (UTC, inclusive)').fill('1970-12-31');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('total')).toHaveText('1');
  await expect(page.getByTestId('versions').locator('tbody tr')).toHaveText([/^ancient/]);
});
