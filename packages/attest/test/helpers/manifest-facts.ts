// Expected facts for every vector, transcribed mechanically from ../shared/vectors/MANIFEST.md
// (the collector's independent Python/OpenSSL checks). Tests compare the verifiers' output with these.

export const QUOTE_FACTS = {
  "sgx/oe-remote-report-debug_zkportal-report-verification.bin": {
    "version": 3,
    "tee": "sgx",
    "mrenclave": "6b93b7ec38aad7ac54611397d98e2de6b694659aaac7ec4b4e76eb6d9c3443a5",
    "mrsigner": "0fd3de91a30ca4532b421315c1810a5a52278d3d403c08e92181e2bf884e26f3",
    "isvProdId": 1,
    "isvSvn": 1,
    "cpuSvn": "13130207ff8007000000000000000000",
    "attributes": "07000000000000000700000000000000",
    "debug": true,
    "reportData": "9032d81a3f98845c0784aa302de9a12f35f5bd77bda47ca1699d5315e7002cef0000000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "8ce58685be36e46187c233c7e99ed6fe75dbb33f7567ada217b077ecd8cf82f9",
      "mrsigner": "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
      "isvProdId": 1,
      "isvSvn": 8
    },
    "certDataType": 5,
    "fmspc": "00906ea10000",
    "pceId": "0000",
    "chainWindow": [
      "2022-10-12T15:54:50Z",
      "2029-10-12T15:54:50Z"
    ],
    "realRoot": true,
    "oeHeader": {
      "version": 1,
      "reportType": 2,
      "reportSize": 4599
    }
  },
  "sgx/aleo-oracle_weather_oe-remote-report.bin": {
    "version": 3,
    "tee": "sgx",
    "mrenclave": "e5473a7c6cd3ab2ab402bb9034daddaf9821ec3be6b9fc3bb5d6eccbcd3e9e93",
    "mrsigner": "f47e2ced83ce79916e83c5d945146573e67b55f8adf7c21f919b2b0e96fe0f1b",
    "isvProdId": 1,
    "isvSvn": 1,
    "cpuSvn": "15150b07ff800e000000000000000000",
    "attributes": "05000000000000000700000000000000",
    "debug": false,
    "reportData": "ebb0b1efaf330b28c72a22af25eaaac4000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "96b347a64e5a045e27369c26e6dcda51fd7c850e9b3a3a79e718f43261dee1e4",
      "mrsigner": "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
      "isvProdId": 1,
      "isvSvn": 10
    },
    "certDataType": 5,
    "fmspc": "00906ed50000",
    "pceId": "0000",
    "chainWindow": [
      "2023-12-07T16:37:22Z",
      "2030-12-07T16:37:22Z"
    ],
    "realRoot": true,
    "oeHeader": {
      "version": 1,
      "reportType": 2,
      "reportSize": 4600
    }
  },
  "sgx/dcap-qvl_sgx_quote.bin": {
    "version": 3,
    "tee": "sgx",
    "mrenclave": "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb",
    "mrsigner": "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6",
    "isvProdId": 0,
    "isvSvn": 0,
    "cpuSvn": "0b0b1a18ffff04000000000000000000",
    "attributes": "0500000000000000e700000000000000",
    "debug": false,
    "reportData": "48656c6c6f2c20776f726c6421000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "96b347a64e5a045e27369c26e6dcda51fd7c850e9b3a3a79e718f43261dee1e4",
      "mrsigner": "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
      "isvProdId": 1,
      "isvSvn": 10
    },
    "certDataType": 5,
    "fmspc": "00a067110000",
    "pceId": "0000",
    "chainWindow": [
      "2023-09-20T21:53:43Z",
      "2030-09-20T21:53:43Z"
    ],
    "realRoot": true
  },
  "sgx/teekit_sgx-tlsn-quote9.quote.bin": {
    "version": 3,
    "tee": "sgx",
    "mrenclave": "50a6a608c1972408f94379f83a7af2ea55b31095f131efe93af74f5968a44f29",
    "mrsigner": "51bf043cb3b552d8399d651fe61d1b314b40be01533f42e2973477e1b809a0c9",
    "isvProdId": 7,
    "isvSvn": 1,
    "cpuSvn": "15150b07ff800e000000000000000000",
    "attributes": "05000000000000000700000000000000",
    "debug": false,
    "reportData": "03351d6944f43d3041a075bddf540d2b91595979ef67fee8c9e6f1c3a5ff6e9e7300000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "78fe8cfd01095a0f108aff5c40624b93612d6c28b73e1a8d28179c9ddf0e0686",
      "mrsigner": "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
      "isvProdId": 1,
      "isvSvn": 11
    },
    "certDataType": 5,
    "fmspc": "00906ed50000",
    "pceId": "0000",
    "chainWindow": [
      "2025-02-07T10:26:29Z",
      "2032-02-07T10:26:29Z"
    ],
    "realRoot": true
  },
  "sgx/teekit_sgx-tlsn-quotedev.quote.bin": {
    "version": 3,
    "tee": "sgx",
    "mrenclave": "db5e55d3190d92512e4eae09d697b4b5fe30c2212e1ad6db5681379608c46204",
    "mrsigner": "51bf043cb3b552d8399d651fe61d1b314b40be01533f42e2973477e1b809a0c9",
    "isvProdId": 7,
    "isvSvn": 1,
    "cpuSvn": "15150b07ff800e000000000000000000",
    "attributes": "05000000000000000700000000000000",
    "debug": false,
    "reportData": "030eba01d248d2c2fb4f39fc8f2daaf2392560100989eb022dc6570e87a011b29c00000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "78fe8cfd01095a0f108aff5c40624b93612d6c28b73e1a8d28179c9ddf0e0686",
      "mrsigner": "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
      "isvProdId": 1,
      "isvSvn": 11
    },
    "certDataType": 5,
    "fmspc": "00906ed50000",
    "pceId": "0000",
    "chainWindow": [
      "2025-02-07T22:12:18Z",
      "2032-02-07T22:12:18Z"
    ],
    "realRoot": true
  },
  "sgx/teekit_sgx-occlum.quote.bin": {
    "version": 3,
    "tee": "sgx",
    "mrenclave": "9c90fd81f6e9fe64b46b14f0623523a52d6a5678482988c408f6adffe6301e2c",
    "mrsigner": "6d5ead54bfbe9494e1cd9042bb7c25d74c597d4700e332b1b3168a60712c1e02",
    "isvProdId": 4000,
    "isvSvn": 5000,
    "cpuSvn": "0505090affff00000000000000000000",
    "attributes": "8500000000000000e700000000000000",
    "debug": false,
    "reportData": "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "8ce58685be36e46187c233c7e99ed6fe75dbb33f7567ada217b077ecd8cf82f9",
      "mrsigner": "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
      "isvProdId": 1,
      "isvSvn": 8
    },
    "certDataType": 5,
    "fmspc": "30606a000000",
    "pceId": "0000",
    "chainWindow": [
      "2023-06-02T22:48:54Z",
      "2030-06-02T22:48:54Z"
    ],
    "realRoot": true
  },
  "sgx/teekit_sgx-chinenyeokafor.quote.bin": {
    "version": 3,
    "tee": "sgx",
    "mrenclave": "0696ab235b2d339e68a4303cb64cde005bb8cdf2448bed742ac8ea8339bd0cb7",
    "mrsigner": "1b40ed24a3ef11e7fba6aa9de37c7c79746196447e9605286e9ff9ca3e0c6ac4",
    "isvProdId": 0,
    "isvSvn": 0,
    "cpuSvn": "0202191b03ff00060000000000000000",
    "attributes": "0500000000000000e700060000000000",
    "debug": false,
    "reportData": "888d97435fd51947e5a8c71f73ba24d9abcf716a1ac05b495a54f9a6fb54609e0000000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "78fe8cfd01095a0f108aff5c40624b93612d6c28b73e1a8d28179c9ddf0e0686",
      "mrsigner": "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
      "isvProdId": 1,
      "isvSvn": 11
    },
    "certDataType": 5,
    "fmspc": "90c06f000000",
    "pceId": "0000",
    "chainWindow": [
      "2025-03-23T03:53:21Z",
      "2032-03-23T03:53:21Z"
    ],
    "realRoot": true
  },
  "sgx/intel-synthetic/quote.dat": {
    "version": 3,
    "tee": "sgx",
    "mrenclave": "0000000000000000000000000000000000000000000000000000000000000000",
    "mrsigner": "0000000000000000000000000000000000000000000000000000000000000000",
    "isvProdId": 0,
    "isvSvn": 0,
    "cpuSvn": "00000000000000000000000000000000",
    "attributes": "00000000000000000000000000000000",
    "debug": false,
    "reportData": "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "a3141a6056c8cdeadf983f353b154aa21fcd9c9e788dcd795e4a092094f86a50",
      "mrsigner": "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
      "isvProdId": 1,
      "isvSvn": 1
    },
    "certDataType": 1,
    "fmspc": "00707f000000",
    "pceId": "0000",
    "chainWindow": [
      "2019-09-05T07:47:06Z",
      "2026-09-05T07:47:06Z"
    ],
    "realRoot": false
  },
  "tdx/dcap-qvl_tdx_quote.bin": {
    "version": 4,
    "tee": "tdx",
    "mrtd": "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7",
    "rtmr0": "44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0",
    "rtmr1": "0084452c01668329d4bc06acdf58a7205c26743304509973949e5619bf81a6a7aea8c323c173019b3093d54e579e9378",
    "rtmr2": "d833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc207aa3ba80b70870d7330733642e01d48c3132",
    "rtmr3": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "mrseam": "5b38e33a6487958b72c3c12a938eaa5e3fd4510c51aeeab58c7d5ecee41d7c436489d6c8e4f92f160b7cad34207b00c1",
    "teeTcbSvn": "06010300000000000000000000000000",
    "tdAttributes": "0000001000000000",
    "xfam": "e702060000000000",
    "debug": false,
    "reportData": "9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20",
    "qe": {
      "mrenclave": "e5a3a7b5d830c2953b98534c6c59a3a34fdc34e933f7f5898f0a85cf08846bca",
      "mrsigner": "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5",
      "isvProdId": 2,
      "isvSvn": 6
    },
    "certDataType": 5,
    "fmspc": "b0c06f000000",
    "pceId": "0000",
    "chainWindow": [
      "2025-02-06T23:25:51Z",
      "2032-02-06T23:25:51Z"
    ],
    "realRoot": true
  },
  "tdx/teekit_tdx-v5-trustee.quote.bin": {
    "version": 5,
    "tee": "tdx",
    "mrtd": "dfba221b48a22af8511542ee796603f37382800840dcd978703909bf8e64d4c8a1e9de86e7c9638bfcba422f3886400a",
    "rtmr0": "9b529f3689e2e8ebb899e9abbbc3dab394d6545e8cdb28a2abb9cc2f377b83a65c01ba56b824cd3ee885df20051f5128",
    "rtmr1": "ca5a979317ffe8a527a3b7aadab03976d7cb6eef1041fb9bd9d69e6fafa7252cdc10e4c2a55e7ecbd2ddb5cacc867430",
    "rtmr2": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "rtmr3": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "mrseam": "1cc6a17ab799e9a693fac7536be61c12ee1e0fabada82d0c999e08ccee2aa86de77b0870f558c570e7ffe55d6d47fa04",
    "teeTcbSvn": "05010200000000000000000000000000",
    "tdAttributes": "0000001000000000",
    "xfam": "e742060000000000",
    "debug": false,
    "bodyType": 3,
    "reportData": "6d6ab13b046cff606ac0074be13981b07b6325dba10b5facc96febf551c0c3be2b75f92fe1f88f4bb996969ad0174b4b7a70261b7b85c844f4b33a4674fd049f",
    "qe": {
      "mrenclave": "e5a3a7b5d830c2953b98534c6c59a3a34fdc34e933f7f5898f0a85cf08846bca",
      "mrsigner": "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5",
      "isvProdId": 2,
      "isvSvn": 6
    },
    "certDataType": 5,
    "fmspc": "90c06f000000",
    "pceId": "0000",
    "chainWindow": [
      "2024-03-18T08:43:51Z",
      "2031-03-18T08:43:51Z"
    ],
    "realRoot": true
  },
  "tdx/teekit_tdx-v4-edgeless.quote.bin": {
    "version": 4,
    "tee": "tdx",
    "mrtd": "b65ea009e424e6f761fdd3d7c8962439453b37ecdf62da04f7bc5d327686bb8bafc8a5d24a9c31cee60e4aba87c2f71b",
    "rtmr0": "e1af75e61927410e42b54b39f6681cf9b0bfbae512b15e870e4c8d9d5a5cb385571b0e1dc2f70bf9ccef08560f0a2b58",
    "rtmr1": "215ff1fc0c31442c1f061a317be40940b182c13d43c6db2e5b2a577dde9bee93d452afd3dd46c6e12f9b303912f310b1",
    "rtmr2": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "rtmr3": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "mrseam": "2fd279c16164a93dd5bf373d834328d46008c2b693af9ebb865b08b2ced320c9a89b4869a9fab60fbe9d0c5a5363c656",
    "teeTcbSvn": "03000500000000000000000000000000",
    "tdAttributes": "0000001000000000",
    "xfam": "e702060000000000",
    "debug": false,
    "reportData": "48656c6c6f2066726f6d20456467656c6573732053797374656d7321000000000000000000000000000000000000000000000000000000000000000000000000",
    "qe": {
      "mrenclave": "853e298f3b7cde28b06493d06fb2ad6f9566a97fea6d3de66236b2af1a35150f",
      "mrsigner": "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5",
      "isvProdId": 2,
      "isvSvn": 4
    },
    "certDataType": 5,
    "fmspc": "00806f050000",
    "pceId": "0000",
    "chainWindow": [
      "2023-01-26T11:05:29Z",
      "2030-01-26T11:05:29Z"
    ],
    "realRoot": true
  },
  "tdx/teekit_tdx-v4-trustee-debug.quote.bin": {
    "version": 4,
    "tee": "tdx",
    "mrtd": "705ee9381b8633a9fbe532b52345e8433343d2868959f57889d84ca377c395b689cac1599ccea1b7d420483a9ce5f031",
    "rtmr0": "e940da7c2712d2790e2961e00484f4fa8e6f9eed71361655ae22699476b14f9e63867eb41edd4b480fef0c59f496b288",
    "rtmr1": "559cfcf42716ed6c40a48a73d5acb7da255435012f0a9f00fbe8c1c57612ede486a5684c4c9ff3ddf52315fcdca3a596",
    "rtmr2": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "rtmr3": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "mrseam": "2fd279c16164a93dd5bf373d834328d46008c2b693af9ebb865b08b2ced320c9a89b4869a9fab60fbe9d0c5a5363c656",
    "teeTcbSvn": "03000500000000000000000000000000",
    "tdAttributes": "0100001000000000",
    "xfam": "e742060000000000",
    "debug": true,
    "reportData": "7c71fe2c86eff65a7cf8dbc22b3275689fd0464a267baced1bf94fc1324656aeb755da3d44d098c0c87382f3a5f85b45c8a28fee1d3bdb38342bf96671501429",
    "qe": {
      "mrenclave": "853e298f3b7cde28b06493d06fb2ad6f9566a97fea6d3de66236b2af1a35150f",
      "mrsigner": "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5",
      "isvProdId": 2,
      "isvSvn": 4
    },
    "certDataType": 5,
    "fmspc": "50806f000000",
    "pceId": "0000",
    "chainWindow": [
      "2023-02-07T08:02:55Z",
      "2030-02-07T08:02:55Z"
    ],
    "realRoot": true
  }
} as const;

export const NITRO_FACTS = {
  "nitro/aleo-oracle_btc_usdc_nitro-attestation.cose": {
    "moduleId": "i-02dd0abe215ecea89-enc0191a27d4c6d8178",
    "timestampMs": 1725008028632,
    "pcr0": "fcc4ced3f4bba7352e289a27fb8fb7358255d6b35abafdc8b4a398c418a44779a377979baa62fc78ef6d89aa6bc11af0",
    "pcr1": "0343b056cd8485ca7890ddd833476d78460aed2aa161548e4e26bedf321726696257d623e8805f3f605946b3d8b0c6aa",
    "pcr2": "55a296be86298ce7d58bf289bad529c70e0d50854b475990d4f8ead2bf02d6fb476e717cc80c057abf7cd0f21cdfc596",
    "pcr4": "696380e5b4d8619d91fc2dea57e715f34d7b02a240a020b11060de0d78bd13b5a8ce9ade6db7abb2d673d5deb295b200",
    "debug": false,
    "chainWindow": [
      "2024-08-30T08:53:24Z",
      "2024-08-30T11:53:27Z"
    ],
    "userData": "5ff1546349b95228a63c50332fd3b46a",
    "nonce": "ccce43e57f1c44ba9d8ba70c9cd151672ef0f906e3b98aac45f66f9e5068636d",
    "ones": false
  },
  "nitro/nitrite_nitro_attestation.b64": {
    "moduleId": "i-0a22e5c5f24d22174-enc0191cceb4289903f",
    "timestampMs": 1725719859545,
    "pcr0": "e72a46ca80a260fb044a125442f0c7e331813bcbaf9724d9f3857758992766f2d65710a27aa94ae3949dd54e7c9fe86a",
    "pcr1": "0343b056cd8485ca7890ddd833476d78460aed2aa161548e4e26bedf321726696257d623e8805f3f605946b3d8b0c6aa",
    "pcr2": "d5dcbdea0aa39c802f9d55ced2ea6e4d74ecec5f08fe40c508882639c9090642669106a062a3e24ee2805a3024b9b75c",
    "pcr4": "45706d7b621e4620a332e147a5ddb000b049f73d47d3e61f6b03d2069152d4df6a4a786ad1c10102b955799a9dc96b44",
    "debug": false,
    "chainWindow": [
      "2024-09-07T14:37:36Z",
      "2024-09-07T17:37:39Z"
    ],
    "userData": null,
    "nonce": null,
    "ones": true
  },
  "nitro/nitrite_nitro_attestation_debug.b64": {
    "moduleId": "i-0a22e5c5f24d22174-enc0191ccebaf8feaba",
    "timestampMs": 1725719886508,
    "pcr0": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "pcr1": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "pcr2": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "pcr4": "45706d7b621e4620a332e147a5ddb000b049f73d47d3e61f6b03d2069152d4df6a4a786ad1c10102b955799a9dc96b44",
    "debug": true,
    "chainWindow": [
      "2024-09-07T14:38:03Z",
      "2024-09-07T17:38:06Z"
    ],
    "userData": null,
    "nonce": null,
    "ones": true
  }
} as const;

export const SEV_FACTS = {
  "sev/virtee_report_milan.hex": {
    "version": 2,
    "measurement": "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f",
    "reportData": "d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd",
    "vmpl": 0,
    "guestSvn": 0,
    "policy": "0x30000",
    "debug": false,
    "platformInfo": "0x1",
    "reportedTcb": "0300000000000873",
    "chipId": "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6",
    "reportId": "92b3b47d59f0a2a10a74c5678868a80238cf593c01a82f3cffb878e904c28d5b",
    "tcb": [
      3,
      0,
      8,
      115
    ],
    "chainWindow": [
      "2023-04-03T19:23:43Z",
      "2030-04-03T19:23:43Z"
    ]
  },
  "sev/teekit_sev-gcp.bin": {
    "version": 5,
    "measurement": "b747d55452e0b9e9079770a49e397c5e6d9573581e246da7baac4f28b5cdc5b1b6d19251b8ee600fd16a3708f58406f3",
    "reportData": "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "vmpl": 0,
    "guestSvn": 0,
    "policy": "0x30000",
    "debug": false,
    "platformInfo": "0x25",
    "reportedTcb": "0400000000001bde",
    "chipId": "980cf7b61876cb37fd517cd44ce11c72d43c5408e66ab39138370ec59bc195e063254cb501d87d82f0b8b8dc774bcfe28019447711598f007390e4accc405361",
    "reportId": "9a0603343e711e1ec9b6b046023da5378e7c4cac6182e35d4f3ebeb46aef6c80",
    "tcb": [
      4,
      0,
      27,
      222
    ],
    "chainWindow": [
      "2025-12-05T06:04:27Z",
      "2032-12-05T06:04:27Z"
    ]
  },
  "sev/teekit_sev-gcp-reportdata.bin": {
    "version": 5,
    "measurement": "b747d55452e0b9e9079770a49e397c5e6d9573581e246da7baac4f28b5cdc5b1b6d19251b8ee600fd16a3708f58406f3",
    "reportData": "32fc4f6c1971cbf91566231f8d6153eeb9d093aa94306cb48d39bcc4861a3d395f149876a37bc91332fe493f46294fd135d5b95d363ae96352b8c45f906079f5",
    "vmpl": 1,
    "guestSvn": 0,
    "policy": "0x30000",
    "debug": false,
    "platformInfo": "0x25",
    "reportedTcb": "0400000000001bde",
    "chipId": "980cf7b61876cb37fd517cd44ce11c72d43c5408e66ab39138370ec59bc195e063254cb501d87d82f0b8b8dc774bcfe28019447711598f007390e4accc405361",
    "reportId": "9a0603343e711e1ec9b6b046023da5378e7c4cac6182e35d4f3ebeb46aef6c80",
    "tcb": [
      4,
      0,
      27,
      222
    ],
    "chainWindow": [
      "2025-12-05T06:04:27Z",
      "2032-12-05T06:04:27Z"
    ]
  }
} as const;
