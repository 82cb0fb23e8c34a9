/** Git's messages lose every credential before they reach an error: URL user info and the token (raw or as a Basic header). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scrub } from '../../src/integrations/github/board-git.ts';

describe('scrub', () => {
  it('drops the user info of every URL', () => {
    const text = "fatal: unable to access 'https://bot:ghp_abc123@github.com/acme/rocket.git/': 403\nremote: see http://x:y@host:8080/path";
    assert.equal(scrub(text, []), "fatal: unable to access 'https://github.com/acme/rocket.git/': 403\nremote: see http://host:8080/path");
  });

  it('replaces each given secret wherever it appears', () => {
    const basic = Buffer.from('x-access-token:tok-1').toString('base64');
    assert.equal(scrub(`token tok-1 and Basic ${basic}; tok-1 again`, ['tok-1', basic]), 'token [redacted] and Basic [redacted]; [redacted] again');
  });

  it('keeps a message without credentials as it is', () => {
    const text = ' ! [remote rejected] task/rkt-1 -> task/rkt-1 (pre-receive hook declined)';
    assert.equal(scrub(text, ['', 'unused']), text);
  });
});
