export default definePageConfig({
  navigationBarTitleText: '帮朋友付款',
});
