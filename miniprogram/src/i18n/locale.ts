/** Which language to speak: Chinese by default, English when WeChat (or the browser) is set to English. */
import Taro from '@tarojs/taro';
import { useMemo } from 'react';
import { messagesFor, type Locale, type Messages } from './messages';

/** Maps a WeChat / browser language tag (`zh_CN`, `en`, `en-US`) to one of ours. */
export function localeOf(language: string | undefined): Locale {
  return language !== undefined && language.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

/** The system language as the runtime reports it. */
export function systemLocale(): Locale {
  try {
    return localeOf(Taro.getAppBaseInfo().language);
  } catch {
    // Older WeChat base libraries have no getAppBaseInfo.
    try {
      return localeOf(Taro.getSystemInfoSync().language);
    } catch {
      return 'zh';
    }
  }
}

/** The page's locale and messages, read once per page. */
export function useMessages(): { locale: Locale; t: Messages } {
  return useMemo(() => {
    const locale = systemLocale();
    return { locale, t: messagesFor(locale) };
  }, []);
}
