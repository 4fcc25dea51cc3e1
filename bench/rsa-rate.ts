/**
 * The single-core RSA-2048 signing rate (SHA256withRSA, PKCS#1 v1.5: what WeChat Pay's request
 * signature and paySign use), measured with node:crypto in a loop for the given seconds.
 * Run pinned to the server's core; prints `{"signsPerSecond": n}`.
 */
import crypto from 'node:crypto';

const seconds = Number(process.argv[2] ?? '3');
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
// About the size of a prepay request's signing message.
const message = Buffer.from(`POST\n/v3/pay/transactions/jsapi\n1700000000\n${'n'.repeat(32)}\n${'{"x":"y"}'.repeat(30)}\n`);
for (let i = 0; i < 50; i++) crypto.sign('sha256', message, privateKey);
let count = 0;
const started = process.hrtime.bigint();
const until = started + BigInt(Math.round(seconds * 1e9));
let now = started;
while (now < until) {
  for (let i = 0; i < 20; i++) crypto.sign('sha256', message, privateKey);
  count += 20;
  now = process.hrtime.bigint();
}
process.stdout.write(`${JSON.stringify({ signsPerSecond: count / (Number(now - started) / 1e9) })}\n`);
