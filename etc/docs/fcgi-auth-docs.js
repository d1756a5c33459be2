// fcgi-auth-docs.js -- start Swagger UI on /openapi.json (GET /docs)
//
// A file of its own rather than an inline script, so that a site whose
// Content-Security-Policy says script-src 'self' (plus the CDN, when the
// page loads Swagger UI from there) can serve the page unchanged.  The
// options are FastAPI's (fastapi/openapi/docs.py); "Authorize" uses the
// document's OAuth2 password flow, whose tokenUrl is /auth/login.
"use strict";
window.ui = SwaggerUIBundle({
	url: "/openapi.json",
	dom_id: "#swagger-ui",
	layout: "BaseLayout",
	deepLinking: true,
	showExtensions: true,
	showCommonExtensions: true,
	presets: [
		SwaggerUIBundle.presets.apis,
		SwaggerUIBundle.SwaggerUIStandalonePreset
	]
});
