// What WeChat refuses with 41030 (page) or 40097 (scene) is checked here, where it can be: the
// page every code and URL Link opens is a page of the mini program's main package, and every link
// code is a scene and a URL Link query WeChat accepts.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signLinkCode } from '../../server/src/links/link-code';
import { PAY_PAGE } from '../../server/src/links/link-wechat-service';
import { createLinkKeyring } from '../../server/src/tokens/link-keys';
import { SCENE_PATTERN, URL_LINK_QUERY_PATTERN } from '../../server/src/wechat/platform/platform-consts';
import { DEFAULT_SIMULATED_PAGES } from '../../server/src/sandbox/simulators/wechat-platform-simulator';

describe('the mini program contract of links', () => {
  it('opens a page of the main package, which the sandbox simulates as published', () => {
    const appConfig = fs.readFileSync(path.resolve(__dirname, '..', '..', 'miniprogram', 'src', 'app.config.ts'), 'utf8');
    const mainPages = /pages:\s*\[([^\]]*)\]/.exec(appConfig)?.[1] ?? '';
    expect(mainPages).toContain(`'${PAY_PAGE}'`);
    expect(DEFAULT_SIMULATED_PAGES).toContain(PAY_PAGE);
  });

  it('makes every link code a scene and a URL Link query WeChat accepts', () => {
    const keyring = createLinkKeyring([{ kid: 'k1', secret: Buffer.from('x'.repeat(32)) }]);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{12}$/), (suffix) => {
        const code = signLinkCode(keyring, `lnk_${suffix}`);
        expect(code).toMatch(SCENE_PATTERN);
        expect(`code=${code}`).toMatch(URL_LINK_QUERY_PATTERN);
      }),
    );
  });
});
