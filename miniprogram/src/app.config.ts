export default defineAppConfig({
  pages: [
    'pages/pay/index',
    'pages/share/index',
    'pages/dev/index',
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#fff',
    navigationBarTitleText: 'Friend Pay',
    navigationBarTextStyle: 'black',
  },
});
