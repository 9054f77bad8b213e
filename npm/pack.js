#!/usr/bin/env node
// Build the npm packages from make dist's archives (make npm):
//
//   node pack.js --version VERSION --dist DIST --out OUT [--platform OS/ARCH ...]
//
// One package per platform, @faspkit/asession-OS-CPU, carrying that
// platform's asession binary (taken from DIST's archive for VERSION once
// its SHA256SUMS line is checked) and declaring its os and cpu, so that npm
// installs only the one that fits; and the main package @faspkit/asession
// (this folder's asession/), which names all five as optionalDependencies
// at the same version. `npm pack` writes the tarballs into OUT.
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const HERE = __dirname;
const SCOPE = '@faspkit';

// Go's platform names (make dist's PLATFORMS) to npm's os and cpu.
const NPM_PLATFORMS = {
  'linux/amd64': { os: 'linux', cpu: 'x64' },
  'linux/arm64': { os: 'linux', cpu: 'arm64' },
  'darwin/amd64': { os: 'darwin', cpu: 'x64' },
  'darwin/arm64': { os: 'darwin', cpu: 'arm64' },
  'windows/amd64': { os: 'win32', cpu: 'x64' },
};

// The npm version (semver) for make's VERSION (git describe --tags
// --always --dirty): v1.2.3 is 1.2.3, v1.2.3-rc.1 stays 1.2.3-rc.1, four
// commits after v1.2.3 is 1.2.4-dev.4.gHASH (after 1.2.3, before 1.2.4),
// after v1.2.3-rc.1 it is 1.2.3-rc.1.4.gHASH, a commit with no tag is
// 0.0.0-gHASH, and a dirty tree adds .dirty (or -dirty) to the prerelease.
function semver(version) {
  let m = /^v?(\d+)\.(\d+)\.(\d+)(?:-((?:alpha|beta|rc)\.?\d+))?(?:-(\d+)-g([0-9a-f]+))?(-dirty)?$/.exec(version);
  if (m) {
    const [, major, minor, patch, pre, ahead, commit, dirty] = m;
    const release = [major, minor, patch];
    const prerelease = pre ? [pre.replace(/^(alpha|beta|rc)(\d)/, '$1.$2')] : [];
    if (ahead && pre) prerelease.push(ahead, `g${commit}`);
    else if (ahead) {
      release[2] = String(Number(patch) + 1);
      prerelease.push('dev', ahead, `g${commit}`);
    }
    if (dirty) prerelease.push('dirty');
    return release.join('.') + (prerelease.length ? '-' + prerelease.join('.') : '');
  }
  m = /^([0-9a-f]{7,40})(-dirty)?$/.exec(version);
  if (m) return `0.0.0-g${m[1]}${m[2] ? '.dirty' : ''}`;
  if (version === 'dev') return '0.0.0-dev';
  throw new Error(`cannot turn VERSION ${JSON.stringify(version)} into an npm version (expected vX.Y.Z[-alpha|beta|rc.N][-N-gHASH][-dirty], a commit hash or dev)`);
}

function platformName(platform) {
  const { os: o, cpu } = NPM_PLATFORMS[platform];
  return `${SCOPE}/asession-${o}-${cpu}`;
}

// One member of a tar stream (make dist's .tar.gz: ustar headers).
function tarMember(tar, wanted) {
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, len) => header.subarray(start, start + len).toString('latin1').replace(/\0.*$/s, '');
    const name = (field(345, 155) ? field(345, 155) + '/' : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const mtime = parseInt(field(136, 12).trim() || '0', 8);
    if (name === wanted) return { data: Buffer.from(tar.subarray(off + 512, off + 512 + size)), mtime };
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return null;
}

// One member of a zip (make dist's Windows .zip), through its central directory.
function zipMember(zip, wanted) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive');
  let off = zip.readUInt32LE(eocd + 16);
  for (let i = zip.readUInt16LE(eocd + 10); i > 0; i--) {
    const method = zip.readUInt16LE(off + 10);
    const compressed = zip.readUInt32LE(off + 20);
    const nameLen = zip.readUInt16LE(off + 28);
    const extraLen = zip.readUInt16LE(off + 30);
    const commentLen = zip.readUInt16LE(off + 32);
    const local = zip.readUInt32LE(off + 42);
    const name = zip.subarray(off + 46, off + 46 + nameLen).toString('utf8');
    if (name === wanted) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(start, start + compressed);
      if (method === 0) return { data: Buffer.from(raw) };
      if (method === 8) return { data: zlib.inflateRawSync(raw) };
      throw new Error(`${wanted}: zip method ${method} not supported`);
    }
    off += 46 + nameLen + extraLen + commentLen;
  }
  return null;
}

// The asession binary for platform from make dist's archive, checked
// against SHA256SUMS.
function binaryFromArchive(dist, sums, version, platform) {
  const [goos, goarch] = platform.split('/');
  const folder = `asession_${version}_${goos}_${goarch}`;
  const name = folder + (goos === 'windows' ? '.zip' : '.tar.gz');
  if (!sums.has(name)) throw new Error(`${name} is not in ${dist}/SHA256SUMS: run make dist for VERSION=${version}`);
  const archive = fs.readFileSync(path.join(dist, name));
  if (crypto.createHash('sha256').update(archive).digest('hex') !== sums.get(name)) {
    throw new Error(`${path.join(dist, name)} does not match its SHA256SUMS line`);
  }
  const member = goos === 'windows'
    ? zipMember(archive, `${folder}/asession.exe`)
    : tarMember(zlib.gunzipSync(archive), `${folder}/asession`);
  if (!member) throw new Error(`${name} holds no asession binary`);
  return member.data;
}

function readSums(dist) {
  const sums = new Map();
  for (const line of fs.readFileSync(path.join(dist, 'SHA256SUMS'), 'utf8').split('\n')) {
    const i = line.indexOf('  ');
    if (i > 0) sums.set(line.slice(i + 2), line.slice(0, i));
  }
  return sums;
}

const mainManifest = () => JSON.parse(fs.readFileSync(path.join(HERE, 'asession', 'package.json'), 'utf8'));

function stagePlatform(dir, platform, version, binary) {
  const { os: o, cpu } = NPM_PLATFORMS[platform];
  const main = mainManifest();
  const exe = o === 'win32' ? 'asession.exe' : 'asession';
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'bin', exe), binary, { mode: 0o755 });
  fs.copyFileSync(path.join(HERE, '..', 'LICENSE'), path.join(dir, 'LICENSE'));
  fs.writeFileSync(path.join(dir, 'README.md'),
    `# ${platformName(platform)}\n\nThe asession binary for ${o} ${cpu}, installed by ${main.name} ` +
    'as an optional dependency on that system. Use that package; see its README.\n');
  const manifest = {
    name: platformName(platform), version,
    description: `The asession binary for ${o} ${cpu} (used by ${main.name})`,
    license: main.license, repository: main.repository,
    os: [o], cpu: [cpu], files: ['bin/'], preferUnplugged: true,
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

function stageMain(dir, version) {
  const src = path.join(HERE, 'asession');
  const manifest = mainManifest();
  manifest.version = version;
  manifest.optionalDependencies = Object.fromEntries(Object.keys(NPM_PLATFORMS).map((p) => [platformName(p), version]));
  delete manifest.scripts; // the tests stay in the repository
  for (const file of manifest.files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(src, file), path.join(dir, file));
  }
  fs.chmodSync(path.join(dir, manifest.bin.asession), 0o755);
  fs.copyFileSync(path.join(src, 'README.md'), path.join(dir, 'README.md'));
  fs.copyFileSync(path.join(HERE, '..', 'LICENSE'), path.join(dir, 'LICENSE'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

function npmPack(dir, out) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [result] = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }));
  return path.join(out, result.filename);
}

function main(argv) {
  const args = { platform: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['version', 'dist', 'out', 'platform'].includes(key) || argv[i + 1] === undefined) {
      throw new Error(`usage: node pack.js --version VERSION --dist DIST --out OUT [--platform OS/ARCH ...]; got ${argv[i]}`);
    }
    if (key === 'platform') {
      if (!NPM_PLATFORMS[argv[i + 1]]) throw new Error(`--platform: one of ${Object.keys(NPM_PLATFORMS).join(', ')}`);
      args.platform.push(argv[i + 1]);
    } else args[key] = argv[i + 1];
  }
  for (const key of ['version', 'dist', 'out']) if (!args[key]) throw new Error(`--${key} is required`);
  const version = semver(args.version);
  const out = path.resolve(args.out);
  fs.mkdirSync(out, { recursive: true });
  const sums = readSums(args.dist);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'asession-npm-'));
  try {
    const platforms = args.platform.length ? args.platform : Object.keys(NPM_PLATFORMS);
    for (const platform of platforms) {
      const dir = path.join(stage, platform.replace('/', '-'));
      stagePlatform(dir, platform, version, binaryFromArchive(args.dist, sums, args.version, platform));
      console.log(`== ${platformName(platform)}@${version}: ${npmPack(dir, out)}`);
    }
    const dir = path.join(stage, 'main');
    stageMain(dir, version);
    console.log(`== ${mainManifest().name}@${version}: ${npmPack(dir, out)}`);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`pack.js: ${err.message}`);
    process.exit(1);
  }
}

module.exports = { semver, NPM_PLATFORMS, platformName, tarMember, zipMember };
