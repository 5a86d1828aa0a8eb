// The types and server protocol of this module are generated from openapi.yaml by the OpenAPI generator plugin.
