/**
 * A test's Docker instance name. VERDICT_TEST_PREFIX keeps two suites run at
 * once on one engine (two checkouts, a developer and CI) from removing each
 * other's containers.
 */
export function ti(name: string): string {
  return `${process.env.VERDICT_TEST_PREFIX ?? ''}${name}`;
}
