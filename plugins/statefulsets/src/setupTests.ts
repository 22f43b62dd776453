import '@testing-library/jest-dom';

// jsdom lays out no SVG, but the dependency graph measures its labels.
const svgProto = window.SVGElement.prototype as any;
if (!svgProto.getBBox) {
  svgProto.getBBox = () => ({ x: 0, y: 0, width: 48, height: 16 });
}
