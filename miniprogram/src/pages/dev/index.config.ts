export default definePageConfig({
  navigationBarTitleText: 'QA',
});
