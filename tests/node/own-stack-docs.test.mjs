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
