/** The codes a failed API call can carry: no Taro here, so the messages (and tests) can name them anywhere. */
import type { ErrorCode } from '@shared/errors';

/** The server's stable codes, plus the two ways a request fails without one. */
export type ApiErrorCode = ErrorCode | 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';
