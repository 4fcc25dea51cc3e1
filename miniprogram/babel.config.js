// babel-preset-taro options: https://docs.taro.zone/docs/next/babel-config
module.exports = {
  presets: [
    ['taro', {
      framework: 'react',
      ts: true,
      compiler: 'webpack5',
      // WeChat 8 needs iOS 12+, and Android WeChat runs mini programs and pages on a modern V8:
      // keeping async/await, classes and spread native makes the package ~10% smaller than
      // Taro's default (iOS 9 / Android 5) targets.
      targets: { ios: '12', chrome: '70' },
    }],
  ],
};
