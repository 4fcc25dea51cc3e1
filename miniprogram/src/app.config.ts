export default defineAppConfig({
  // The main package holds only what a friend opening a pay link needs (WeChat downloads it
  // before showing anything); the shopper's share page and the QA page load on demand.
  pages: ['pages/pay/index'],
  subPackages: [
    { root: 'pages/share', pages: ['index'] },
    // The QA page exists only in sandbox builds; production builds do not even compile it.
    ...(SANDBOX ? [{ root: 'pages/dev', pages: ['index'] }] : []),
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#fff',
    navigationBarTitleText: 'Friend Pay',
    navigationBarTextStyle: 'black',
  },
});
