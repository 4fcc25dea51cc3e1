/** Whose money an order is: a direct merchant's own, or (partner mode) a sub-merchant's. */

/** A sub-merchant (特约商户) a service provider collects for, in partner mode. */
export interface SubMerchant {
  /** `sub_mchid`: the sub-merchant's WeChat Pay merchant id, where the money goes. */
  subMchId: string;
  /**
   * `sub_appid`: the sub-merchant's own mini program, when the payer's openid belongs to it
   * (`sub_openid`); otherwise the payer's openid is the service provider's (`sp_openid`).
   */
  subAppId?: string | undefined;
}
