/*
 * Jest resolver for the kubernetes-models packages: they are ES modules
 * whose `exports` only offer an `import` condition, which Jest's CommonJS
 * resolution never asks for. Only requests made from inside those packages
 * (or for them) get the extra condition; everything else resolves as usual.
 */
const MODELS =
  /[\\/]node_modules[\\/](@kubernetes-models[\\/][^\\/]+|kubernetes-models)[\\/]/;

module.exports = (request, options) => {
  const fromModels = MODELS.test(`${options.basedir}/`);
  const forModels = /^(@kubernetes-models\/|kubernetes-models(\/|$))/.test(
    request,
  );
  if (fromModels || forModels) {
    return options.defaultResolver(request, {
      ...options,
      conditions: [...(options.conditions ?? []), 'import'],
    });
  }
  return options.defaultResolver(request, options);
};
