export default definePageConfig({
  navigationBarTitleText: '找朋友帮忙付',
  // "Send to a WeChat friend" is an open-type="share" button: the page must allow sharing.
  enableShareAppMessage: true,
});
