/*
 * For route tests: the generated router module with response validation on,
 * so an answer that differs from openapi.yaml is answered 500 with the
 * difference. Use it as the factory of a `jest.mock` of the generated router:
 *
 *   jest.mock('../schema/openapi/generated/router', () =>
 *     jest.requireActual('../schema/openapi/__testUtils__/validateResponses')
 *       .routerModuleValidatingResponses(),
 *   );
 */

/** The generated router module, its `createOpenApiRouter` validating responses. */
export function routerModuleValidatingResponses() {
  const actual = jest.requireActual('../generated/router');
  return {
    ...actual,
    createOpenApiRouter: (options: any) =>
      actual.createOpenApiRouter({
        ...options,
        validatorOptions: { validateResponses: true },
      }),
  };
}
