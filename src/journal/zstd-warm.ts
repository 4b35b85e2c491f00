/**
 * Warming the WebAssembly zstd decoder before a file arrives (the page's workers, at start).
 *
 * V8 runs wasm first as its baseline compiler made it, and recompiles a function with its optimizing
 * compiler once the function is hot. libzstd's main decoding function takes ~70–140 ms of a core to
 * optimize. Left to the first big compressed file, that compile competes with the verification for
 * the cores while the file's first payloads decode at baseline speed. A page has time before the
 * user drops a file: a few dozen decodes of a small frame make the decoder hot then, and the
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

/** Decodes enough to make the decoder's functions hot (~10 ms); never rejects. */
export async function warmZstd(rounds = 64): Promise<void> {
  try {
    await prepareZstd();
    const frame = Uint8Array.from(WARM_FRAME_HEX.match(/../g)!, (h) => parseInt(h, 16));
    for (let i = 0; i < rounds; i++) await decompressPayload(ObjectFlag.COMPRESSED_ZSTD, frame);
  } catch {
    // warming only saves time; the verification loads and reports the decoder itself
  }
}
