export default definePageConfig({
  navigationBarTitleText: '帮朋友付款',
  // The friend may forward the link (onShareAppMessage) and share the result back.
  enableShareAppMessage: true,
});
