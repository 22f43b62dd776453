/*
 * Applies the README's "Install into your app" section to a fresh app, so the
 * adoption test runs exactly what the README tells an adopter to do. Every
 * step of the section is a code block preceded by an HTML comment saying how
 * the test applies it (the comment does not show on the rendered page):
 *
 *   <!-- adoption: run -->                     a ```sh block, run in the app's root
 *   <!-- adoption: write <file> -->            the block is the whole file
 *   <!-- adoption: merge <file.yaml> -->       merged into the YAML file (maps
 *                                              merged, lists appended, comments kept)
 *   <!-- adoption: insert <file> before <line> -->
 *                                              the block goes before that line
 *   <!-- adoption: remove <file> <text> -->    drops the statement that names <text>
 *
 * Usage: node apply-readme.mjs <README.md> <app dir>
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';

const [readme, appDir] = process.argv.slice(2);
const text = fs.readFileSync(readme, 'utf8');
const section = text.slice(
  text.indexOf('<!-- adoption:start -->'),
  text.indexOf('<!-- adoption:end -->'),
);
if (!section) {
  throw new Error(
    `${readme} has no <!-- adoption:start --> … <!-- adoption:end --> section`,
  );
}

const steps = [
  ...section.matchAll(/<!-- adoption: (.+?) -->\s*```[^\n]*\n([\s\S]*?)```/g),
].map(m => ({ command: m[1].trim(), body: m[2] }));
const removals = [...section.matchAll(/<!-- adoption: (remove .+?) -->/g)].map(
  m => ({ command: m[1].trim(), body: '' }),
);
if (steps.length === 0) throw new Error('the adoption section has no steps');

const at = file => path.join(appDir, file);

function mergeInto(doc, nodePath, value) {
  const existing = doc.getIn(nodePath, true);
  if (Array.isArray(value)) {
    if (!isSeq(existing)) doc.setIn(nodePath, doc.createNode([]));
    for (const item of value) doc.addIn(nodePath, doc.createNode(item));
  } else if (value && typeof value === 'object') {
    if (!isMap(existing)) doc.setIn(nodePath, doc.createNode({}));
    for (const [k, v] of Object.entries(value))
      mergeInto(doc, [...nodePath, k], v);
  } else {
    doc.setIn(nodePath, value);
  }
}

for (const { command, body } of [...steps, ...removals]) {
  const [verb, file, ...rest] = command.split(/\s+/);
  console.log(`adoption: ${command}`);
  if (verb === 'run') {
    for (const line of body
      .split('\n')
      .filter(l => l.trim() && !l.startsWith('#'))) {
      console.log(`  $ ${line}`);
      execSync(line, { cwd: appDir, stdio: 'inherit' });
    }
  } else if (verb === 'write') {
    fs.mkdirSync(path.dirname(at(file)), { recursive: true });
    fs.writeFileSync(at(file), body);
  } else if (verb === 'merge') {
    const doc = parseDocument(fs.readFileSync(at(file), 'utf8'));
    mergeInto(doc, [], parseDocument(body).toJS());
    fs.writeFileSync(at(file), doc.toString());
  } else if (verb === 'insert' && rest[0] === 'before') {
    const anchor = rest.slice(1).join(' ');
    const source = fs.readFileSync(at(file), 'utf8');
    const index = source.indexOf(`\n${anchor}`);
    if (index < 0) throw new Error(`${file} has no line "${anchor}"`);
    fs.writeFileSync(
      at(file),
      `${source.slice(0, index + 1)}${body}\n${source.slice(index + 1)}`,
    );
  } else if (verb === 'remove') {
    const needle = rest.join(' ');
    const source = fs.readFileSync(at(file), 'utf8');
    // The statement that names the text: from the line starting it to the
    // line ending it with ';' (a call may span several lines).
    const lines = source.split('\n');
    const hit = lines.findIndex(l => l.includes(needle));
    if (hit < 0) throw new Error(`${file} does not name ${needle}`);
    let start = hit;
    while (start > 0 && !lines[start].trimStart().startsWith('backend.add('))
      start--;
    let end = hit;
    while (end < lines.length - 1 && !lines[end].trimEnd().endsWith(';')) end++;
    lines.splice(start, end - start + 1);
    fs.writeFileSync(at(file), lines.join('\n'));
  } else {
    throw new Error(`unknown adoption step "${command}"`);
  }
}
