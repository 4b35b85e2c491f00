/**
 * Warming the WebAssembly zstd decoder before a file arrives (the page's spare seal helper, while it
 * waits: seal-helper.worker.ts).
 *
 * V8 runs wasm first as its baseline compiler made it, and recompiles a function with its optimizing
 * compiler once the function is hot. libzstd's main decoding function takes ~70–140 ms of a core to
 * optimize. Left to the first big compressed file, that compile competes with the verification for
 * the cores while the file's first payloads decode at baseline speed. A page has time before the
 * user drops a file: a few dozen decodes of small frames make the decoder hot then, and the
 * optimized code is ready when the file comes. (V8 shares a module compiled from the same bytes
 * between the workers of a process, so one worker's warming serves the others.)
 */
import { decompressPayload, prepareZstd } from './compress.js';
import { ObjectFlag } from './format.js';

/**
 * A zstd frame (`zstd -19 --no-check`) of 60 synthetic log lines, 5462 bytes decoded: Huffman-coded
 * literals and FSE-coded sequences, as journald's compressed payloads have.
 */
export const WARM_FRAME_HEX =
  '28b52ffd6056148d25005a5ce40b1b704daa0d64dd22304208b9211600892e2bbb37b74c5100fd6fbd17d800aa00ad00' +
  '41428eb7ae54626d56e47461f607d934d3e2b8a429358a2ad7513247862623892218f78ae377916dc4e4f53c9b85dc4a' +
  'c8504e3ca0c1c203090b0c90d28a8f6b1f53ebd9e8c894652731b606de211599ed93ffbd0e291a224d0d38a08081e19c' +
  'f4d3c36dbc265532eb000a0f16247850e78898deb0d534cebeb848536afa736124c791f866ecd4800710241830c90220' +
  'a1000c131a0a34301c181c1c881e4807061020341ca442a621213d38802001c1c1e63b34302c4c88b020e190046ec201' +
  '071c2c34305460383430405070104991a41e2e07030b0202261357939ae6286982133eb521f3e2992c68c96a51889d1d' +
  '3eb109cfeacfdb3c6c69d4a61bb4fb7394649ab8fff050910bb14a395313be87c926afdbd0a4c51754388dbabb586773' +
  'd66709a47ea8959338c5758a761c274529dd9d26962e90c2685265e3a2e4d561e0691c5827b6e3d306298e1c965a95ed' +
  '86d0cfb261105e1d97fed0ca6a9ff2ad9a386cf8e88f5d769354b389dec47136b1ab994e8ef11755bba8ccd9ed7a484e' +
  '234db7544f92e8c6d1a94b2d95e49c28ea7da35a4838547afa4c260667e43da3acb5a28eb061839e974c288510c38e15' +
  '72776cf088388968099ab1c65d5d34733757ceab5c94511a1fb28d6663d33c8f72e3c82d111cbb9b35446155d34097eb' +
  '7f5df2d446ab6121bbcc93261f9e8bff265572a43ec74421bd03f17ab3c11a517a062b682c8dc19620d9d0d964072d7c' +
  '76f13932aa924919ba90aa40f748c8ae58e3c41a894ed4e02b66d7bc93c504221fbc40c7a5672a896b9e789bc0a30a79' +
  '51846ad2a2bcbbc2ac187758bb213a9cb44109e95908795e5474784f56df9ba8a9e9e7e73b5f95b01b466fcfea8ed7a4' +
  'df83fcf7885cf436e74712d5c6585bf4f3bd24e9438c5e29e84a68cfd48c3d7b4f5c3d0d5f8facce67264f791ff5b961' +
  'ef0de9884389f40b1ca98688a7f05e349fbcb285c35545bfca079d46d5a8b921afef48679b9d852771f50b31eae9e637' +
  '6fb4b88ae32ea6812ca811300807657532ec9f0121961845d70e11a8881110d6aa11c9370f50ca0d2bfce3cb6cd9330f' +
  '0a70104e308769537c74449e7ebb945bb70b14a42945e5e31cd29bf6068ce7132f398b4fb9ba4ca0971abefedde9e38f' +
  'de793c15a1d8d29f69e0067ee633d78841a6e69c24d12cec1ddf4494c67f325bfd876de850b5729c7693ed1f1403cf9f' +
  'a0cbff1698cf7ef9f09fe94c926a077f49a4421cdd9b4d9615146f8f9eee6394e37f29af3bfdb862cec5656caa3267a2' +
  'cef127e238078d8e29c464917b506e631b5fdf4320abb86c154e72bd04999cf6b09b3f2f31dea1c24ba18ca836403541' +
  'c1990c3cfb04bd7bd3fde1ec5ff148e69bbac9a1d2433b312f7b853750c05b2300ee4c1da4fc4119ce1dcfa6ca017139' +
  '7f5d97db5856e6a827fd0ab9051930562bfd53be69b39d3843c88956363789dbe0cbc9ef2ee391712da89a20039d192a' +
  'b2f2ebb427319e4fa946e1564ee5b206836ae62b27ea7c22cb819cba49b9e4f43f487ecbde563d128adc7c6f3dc9a924' +
  'dd2a70f2d0453f9e29195d95932bf2c46f512a4e640acdb93137efa6dd009b8f402bae82cb5cf9fded30dbb123b56cb7' +
  '6b415dd4b9ff3cee5bc62a';

/**
 * Two DATA payloads as systemd compressed them (~0.7 KB frames of ~2.5 KB: the bench journal's
 * synthetic tracebacks, `../shared/bench/make-big.sh`). journald's frames take paths of the decoder
 * the level-19 frame above does not, and Chromium optimized those only during the first big file:
 * ~30 ms of a core, until both kinds were warmed.
 */
export const JOURNAL_FRAMES_HEX = [
  '28b52ffd602106cd170086e77120204df42f606ab446d70ff3897ce13a82741470772ff494f8399aa900c3204e046900' +
  '65006900b34201455190a43d6f14d3651b0ea3b47f915beb8b7eedf99ddcdd0de0597ec3641aab5dc07760d3d8c6d252' +
  '3f8db28d00093b701f3f07ad11e3c78722cac35a979847b6f508e897f1a01b80402063972da5c3cef4e1dfceb84ed40b' +
  'e88a877e199e0142c1c28241422a25af0dcf8f5e3f9349cea5eadca3b9a425f70c84719cfd9a793c3ba5a2038ffb8dbf' +
  '5c895390f67c3a44dc0672f0df86bffd9aa10ef172893b56fa31fd6fc6f6618a254c3dfa8b9adbc0384e747f712b44bf' +
  'cef89f87bf0cad3262fb4a29899bff1e39ce9589f64852922cf7de810edb40fdfa31ad163f6ca5871e52d6db12852dcf' +
  '4031a25f274b69cab997a3d3c67d882a656d4035328a920eb616b6bc09d4d05f4057d8689184e5ea60eb141f48a2d6e2' +
  '9e02f5ebe85846b57638f8910da939e79e811c7e56e6a16d29b55ccdcbe80d0d7d614b358da745b1dc15cc9dfaa64112' +
  'f62e31e804b7de6b401f050001242daeadd7068ad8329e3f3ff567cc492d6c355a63866e6785285a87492e2d6a294c79' +
  '31a20df43a5ab692cfe90e0b4396d7068af88646a5aca3a98634e5fdf3cf43a4f5c238038088a88125826a6a244992c2' +
  'b419304242086576031160680695884d523e75030e26852c0f11d4a506dd94a7bef36e15060bdb712f11111fd4b4a69e' +
  '95ed18ca293de0104499e5730931049fa436886d3d79be735d9341fa9b41ff914187e9920237b42b101b837aac2b6608' +
  '08c9db3b0ed0c8441e00572ed1574fe068225ad413c5fb2bbb5665e174708e6ad110787115804474dd7d8418ba51699e' +
  '575542fdc4c17155ba43c7aeea5ab2b01f146c1f5488ebc934b7b1ed60b08b2e2d16522353d67c0e26fc66c58abbb490' +
  '4ed69d75ccafdf1f3c2b6167e3b3f13fe0567b45f2daa5410aaec49e11160ed9df2f3e2b0ebff4f0655c1fde3af152d7' +
  '7971f1945a704c9c150a524cf31b030f0270b17fcb466f47a5072d480f175fe3f54a685e52e640af8116d66644d2b4a1' +
  '515c05',
  '28b52ffd6031056d1500a6a46a20404bf39b61763236b1581613b99bf8703c83611703090886d697374e45d705986300' +
  '6000610007d25c0263aedf294edb44449f47468786ed4489bbbb13f929ad92716af3d83eed7ca7b510d6ee7cd30920c2' +
  '0afc942a637f1afc2ac537cada184155b65501b4376fd09d1808c83836dd345176765cfaed8c2b45dd9051e132de0558' +
  '7040a0a0508010d11b06a79579db16056148630a8c9446864ea83ec68e9dfa5946eb09e22aff5c084316839d307e8a60' +
  '5386c74ccc7eb01671b35ff5532e87b21404e63ab18d0eeee478a366949dafb6217dca86edd8a916fb8dd6c606b370fc' +
  '2dc713b30a380289c21c82bcd660a7eb8d5b1f505c28686c1af6439995d0e837274772c04ee827b6ccd19c62cb6bcfc1' +
  'eb0fb5692aa3137a88a73afdfcd332883bd8c44fc3500fc112e4c1987de64e88f129a3549e55fef8d3c0d6b2c09fb653' +
  'fe891edab0af2f020b6f3e327ab585c29622977bcb7b6b2994a52d18a290af35170f1fb8f5de02e749480438c5b5f6e0' +
  '63dbe9a7fd2999b554f25e7be8711ab6c2ae7c5a5573ee250abc8e9f4ea8612fcdb1c5250d26045b320b7b543d87ac86' +
  '26f6cbf0dbb0976fa8919d738688a4204941a1b0ac0140424208baf411b03ce81c1922495256b601b614486f2ea3f641' +
  'a5628851ce3ef72847b494d43eab4f90af573bd769ce6a97eda2b7637c3768cbedb631ab9911161e7e5ade808c331057' +
  '488a1bf25c2789104117b307c30f2604382c052f4c375c36b01a35759bd8febef5b5b4d2fa1d9f5c115a8eafecdf72c9' +
  '852e6a6322bbf0b9204afd9f68e406a42abc037ef93c79b0c64d76c49bfc74b90b734629d1be674ecd312fe7678f4c87' +
  '42427d100dc78ff7c93e95ab6906b29f2ba37b6fef786175e992fc112ad5eff3264d7d5ce8b7eef9d1ed23cc31874888' +
  'bbd1d639999b909877b56d848b37e6d63c2d5dc5ed4d15',
];

/** Decodes enough to make the decoder's functions hot (~20 ms); never rejects. */
export async function warmZstd(rounds = 64): Promise<void> {
  try {
    await prepareZstd();
    const frames = [WARM_FRAME_HEX, ...JOURNAL_FRAMES_HEX].map((hex) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)));
    for (let i = 0; i < rounds; i++) for (const frame of frames) await decompressPayload(ObjectFlag.COMPRESSED_ZSTD, frame);
  } catch {
    // warming only saves time; the verification loads and reports the decoder itself
  }
}
