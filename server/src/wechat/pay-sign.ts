import type { Clock } from '../clock';
import { unixSeconds } from '../clock';
import { PAY_SIGN_TYPE, paySignMessage, prepayPackage } from './consts';
import { randomNonce, type NonceSource } from './random';
import type { Signer } from './signer';

/** What the mini program passes to `wx.requestPayment` (WeChat's own spellings). */
export interface RequestPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: typeof PAY_SIGN_TYPE;
  paySign: string;
}

/** Builds `requestPayment` parameters for a prepay id, signing `appId\ntimeStamp\nnonceStr\npackage\n`. */
export function buildRequestPaymentParams(input: { appId: string; prepayId: string; signer: Signer; clock: Clock; nonce?: NonceSource }): RequestPaymentParams {
  const timeStamp = String(unixSeconds(input.clock));
  const nonceStr = (input.nonce ?? randomNonce)();
  const packageValue = prepayPackage(input.prepayId);
  return {
    timeStamp,
    nonceStr,
    package: packageValue,
    signType: PAY_SIGN_TYPE,
    paySign: input.signer.sign(paySignMessage(input.appId, timeStamp, nonceStr, packageValue)),
  };
}
