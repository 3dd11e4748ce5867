// Starts Swagger UI on /docs. A file, not an inline script, so the page keeps the strict CSP.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // The badge asks an outside validator about the document: nothing leaves this site.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
