// Keeps the README section "Use the constructs in your own stack" true to the API: its C# example must be exactly
// tests/consumer/src/TeamTraining/TeamTrainingStack.cs, the stack the consumer test (tests/consumer/run.sh) compiles
// against the packed library and synthesizes. Reads no cloud assembly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

test('the own-stack example in the README is the consumer app\'s stack, character for character', () => {
  const section = /<!-- section:own-stack -->([\s\S]*?)<!-- \/section:own-stack -->/.exec(readme);
  assert.ok(section, 'README.md has no own-stack section');
  const blocks = [...section[1].matchAll(/```csharp\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 1, 'expected exactly one C# block in the section');
  const file = readFileSync(path.join(root, 'tests', 'consumer', 'src', 'TeamTraining', 'TeamTrainingStack.cs'), 'utf8');
  assert.equal(blocks[0], file);
});

test('the section names the package version that constructs/ declares', () => {
  const csproj = readFileSync(path.join(root, 'constructs', 'HfSageMaker.Constructs.csproj'), 'utf8');
  const version = /<Version>([^<]+)<\/Version>/.exec(csproj)[1];
  const section = /<!-- section:own-stack -->([\s\S]*?)<!-- \/section:own-stack -->/.exec(readme)[1];
  const named = [...section.matchAll(/package HfSageMaker\.Constructs --version (\S+)/g)].map((m) => m[1]);
  assert.deepEqual(named, [version]);
});

test('the jsii runtime the section tells consumers to add is the one the consumer app references and the repository pins', () => {
  const section = /<!-- section:own-stack -->([\s\S]*?)<!-- \/section:own-stack -->/.exec(readme)[1];
  const named = [...section.matchAll(/package Amazon\.JSII\.Runtime --version (\S+)/g)].map((m) => m[1]);
  const csproj = readFileSync(path.join(root, 'tests', 'consumer', 'src', 'TeamTraining', 'TeamTraining.csproj'), 'utf8');
  const referenced = [...csproj.matchAll(/<PackageReference Include="Amazon\.JSII\.Runtime" Version="([^"]+)" \/>/g)].map((m) => m[1]);
  const props = readFileSync(path.join(root, 'Directory.Packages.props'), 'utf8');
  const pinned = /<PackageVersion Include="Amazon\.JSII\.Runtime" Version="\[([^\]]+)\]" \/>/.exec(props)?.[1];
  assert.ok(pinned, 'Directory.Packages.props pins no Amazon.JSII.Runtime');
  assert.deepEqual(named, [pinned], 'the README names another jsii runtime than Directory.Packages.props pins');
  assert.deepEqual(referenced, [pinned], 'tests/consumer references another jsii runtime than Directory.Packages.props pins');
});
