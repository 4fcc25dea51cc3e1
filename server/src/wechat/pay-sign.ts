import type { RequestPaymentParams } from '../../../shared/api-types';
import type { Clock } from '../clock';
import { unixSeconds } from '../clock';
import { PAY_SIGN_TYPE, paySignMessage, prepayPackage } from './consts';
import { randomNonce, type NonceSource } from './random';
import type { Signer } from './signer';

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
