// Swagger UI's start-up, as a file so that the page runs under a Content-Security-Policy of 'self'.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({
    url: container.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui-container",
    validatorUrl: null, // no online validator: nothing leaves the service
    deepLinking: true,
  });
});
