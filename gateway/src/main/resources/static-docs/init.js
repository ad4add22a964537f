// The API reference: Swagger UI over the gateway's own OpenAPI document (no inline script: CSP).
window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: false,
  oauth2RedirectUrl: window.location.origin + '/api/docs/swagger-ui/oauth2-redirect.html'
});
window.ui.initOAuth({ clientId: 'neogend-web', usePkceWithAuthorizationCodeGrant: true });
