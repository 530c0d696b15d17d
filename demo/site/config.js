// The demo shop's ConsentSeal configuration, shared by every page (set before consentseal.js loads).
window.consentsealConfig = {
  policyVersion: '2026-11-01',
  policyUrl: '/privacy.html',
  controller: { name: 'Lumen Tea Co.', contact: 'privacy@lumen-tea.example' },
  purposes: [
    { id: 'necessary', required: true },
    {
      id: 'analytics',
      services: [{ id: 'lumen-stats', name: 'Lumen Stats (self-hosted)', cookies: ['_ls_id', '/^_ls_s_/'] }],
    },
    {
      id: 'marketing',
      optOutSignal: true,
      services: [
        { id: 'reco', name: 'Recommendations', cookies: ['_reco'] },
        { id: 'video', name: 'Video embeds' },
      ],
    },
  ],
  collector: { url: 'http://127.0.0.1:8787/receipts' },
  language: 'auto',
  texts: {
    en: {
      purposes: {
        necessary: { title: 'Necessary', description: 'Your basket, sign-in and this choice. See the [privacy policy](/privacy.html).' },
        analytics: { title: 'Analytics', description: 'Counts page views with our self-hosted statistics so we know which teas people look at.' },
        marketing: { title: 'Marketing', description: 'Personal tea recommendations and video embeds from other sites.' },
      },
    },
    'zh-CN': {
      purposes: {
        necessary: { title: '必要', description: '购物车、登录以及本选择。参见[隐私政策](/privacy.html)。' },
        analytics: { title: '统计分析', description: '使用自建统计服务计算页面浏览量。' },
        marketing: { title: '营销', description: '个性化茶叶推荐与第三方视频。' },
      },
    },
  },
  googleConsentMode: { analytics_storage: ['analytics'], ad_storage: ['marketing'], ad_user_data: ['marketing'], ad_personalization: ['marketing'] },
  gpc: true,
  ui: { layout: 'bar', theme: 'auto', reopenButton: true },
};
