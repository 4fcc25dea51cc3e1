export default definePageConfig({
  navigationBarTitleText: '分享给朋友',
});
