// Builds the WeChat DevTools project once before the weapp build tests (about 12 s) when it is
// missing or older than the sources.
import { ensureMiniBuild } from './mini-build';

export default async function setup(): Promise<void> {
  await ensureMiniBuild('weapp');
}
