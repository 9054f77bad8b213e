// pack.js (make npm): versions, the packages' manifests and contents, and
// the checks on make dist's archives. The archives are made here with tar
// and zip as make dist makes them.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { semver, NPM_PLATFORMS, platformName } = require('../pack.js');

const VERSION = 'v1.2.3-4-gabcdef0';
const NPM_VERSION = '1.2.4-dev.4.gabcdef0';

test('semver', () => {
  const cases = {
    'v1.2.3': '1.2.3',
    '1.2.3': '1.2.3',
    'v0.4.0-rc.2': '0.4.0-rc.2',
    'v0.4.0-beta1': '0.4.0-beta.1',
    'v0.4.0-rc.2-3-g0123abc': '0.4.0-rc.2.3.g0123abc',
    'v1.2.3-4-gabcdef0': '1.2.4-dev.4.gabcdef0',
    'v1.2.3-4-gabcdef0-dirty': '1.2.4-dev.4.gabcdef0.dirty',
    'v1.2.3-dirty': '1.2.3-dirty',
    '0d1708c': '0.0.0-g0d1708c',
    '0d1708c-dirty': '0.0.0-g0d1708c.dirty',
    dev: '0.0.0-dev',
  };
  for (const [given, want] of Object.entries(cases)) assert.equal(semver(given), want, given);
  assert.throws(() => semver('release-candidate'), /cannot turn VERSION/);
});

function fakeDist(dir, binaries) {
  const dist = path.join(dir, 'dist');
  fs.mkdirSync(dist);
  const sums = [];
  for (const [platform, data] of Object.entries(binaries)) {
    const [goos, goarch] = platform.split('/');
    const folder = `asession_${VERSION}_${goos}_${goarch}`;
    fs.mkdirSync(path.join(dist, folder));
    const exe = goos === 'windows' ? 'asession.exe' : 'asession';
    fs.writeFileSync(path.join(dist, folder, exe), data, { mode: 0o755 });
    fs.writeFileSync(path.join(dist, folder, 'LICENSE'), 'license');
    let name;
    if (goos === 'windows') {
      name = `${folder}.zip`;
      execFileSync('zip', ['-q', '-X', '-r', name, folder], { cwd: dist });
    } else {
      name = `${folder}.tar.gz`;
      execFileSync('tar', ['-czf', name, '--owner=0', '--group=0', folder], { cwd: dist });
    }
    fs.rmSync(path.join(dist, folder), { recursive: true });
    sums.push(`${crypto.createHash('sha256').update(fs.readFileSync(path.join(dist, name))).digest('hex')}  ${name}`);
  }
  fs.writeFileSync(path.join(dist, 'SHA256SUMS'), sums.join('\n') + '\n');
  return dist;
}

function pack(dist, out) {
  return spawnSync(process.execPath, [path.join(__dirname, '..', 'pack.js'), '--version', VERSION, '--dist', dist,
    '--out', out, '--platform', 'linux/amd64', '--platform', 'windows/amd64'], { encoding: 'utf8' });
}

// The files of a package tarball, by path inside it, with their modes.
function unpack(tgz, into) {
  fs.mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', into]);
  const files = {};
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(path.join(into, 'package'), full)] = { data: fs.readFileSync(full), mode: fs.statSync(full).mode & 0o777 };
    }
  };
  walk(path.join(into, 'package'));
  return files;
}

test('packages carry the binary, declare os and cpu, and the main one names them all', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asession-pack-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const binaries = { 'linux/amd64': Buffer.from('\x7fELF fake linux'), 'windows/amd64': Buffer.from('MZ fake windows') };
  const dist = fakeDist(dir, binaries);
  const done = pack(dist, path.join(dir, 'out'));
  assert.equal(done.status, 0, done.stderr);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'out')).sort(), [
    `faspkit-asession-${NPM_VERSION}.tgz`,
    `faspkit-asession-linux-x64-${NPM_VERSION}.tgz`,
    `faspkit-asession-win32-x64-${NPM_VERSION}.tgz`,
  ]);
  for (const [platform, exe] of [['linux/amd64', 'asession'], ['windows/amd64', 'asession.exe']]) {
    const { os: o, cpu } = NPM_PLATFORMS[platform];
    const files = unpack(path.join(dir, 'out', `faspkit-asession-${o}-${cpu}-${NPM_VERSION}.tgz`), path.join(dir, o));
    assert.deepEqual(Object.keys(files).sort(), ['LICENSE', 'README.md', `bin/${exe}`, 'package.json']);
    assert.deepEqual(files[`bin/${exe}`].data, binaries[platform]);
    assert.equal(files[`bin/${exe}`].mode, 0o755);
    const manifest = JSON.parse(files['package.json'].data);
    assert.equal(manifest.name, platformName(platform));
    assert.equal(manifest.version, NPM_VERSION);
    assert.deepEqual([manifest.os, manifest.cpu], [[o], [cpu]]);
  }
  const main = unpack(path.join(dir, 'out', `faspkit-asession-${NPM_VERSION}.tgz`), path.join(dir, 'main'));
  assert.deepEqual(Object.keys(main).sort(), ['LICENSE', 'README.md', 'bin/asession.js', 'index.d.ts', 'index.js', 'package.json']);
  assert.equal(main['bin/asession.js'].mode, 0o755);
  const manifest = JSON.parse(main['package.json'].data);
  assert.equal(manifest.version, NPM_VERSION);
  assert.deepEqual(manifest.optionalDependencies, {
    '@faspkit/asession-linux-x64': NPM_VERSION,
    '@faspkit/asession-linux-arm64': NPM_VERSION,
    '@faspkit/asession-darwin-x64': NPM_VERSION,
    '@faspkit/asession-darwin-arm64': NPM_VERSION,
    '@faspkit/asession-win32-x64': NPM_VERSION,
  });
  assert.equal(manifest.scripts, undefined);
});

test('an archive that does not match its sum is refused', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asession-pack-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dist = fakeDist(dir, { 'linux/amd64': Buffer.from('a'), 'windows/amd64': Buffer.from('b') });
  fs.appendFileSync(path.join(dist, `asession_${VERSION}_windows_amd64.zip`), '\0');
  const done = pack(dist, path.join(dir, 'out'));
  assert.notEqual(done.status, 0);
  assert.match(done.stderr, /does not match its SHA256SUMS line/);
  fs.writeFileSync(path.join(dist, 'SHA256SUMS'), '');
  assert.match(pack(dist, path.join(dir, 'out')).stderr, /run make dist/);
});
