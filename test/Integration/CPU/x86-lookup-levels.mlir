// Packed levels to floats, sitofp(shrsi(shli(byte, slot), c)), for every
// byte, slot shift 0..7 and c = 4..7 (levels of 4..1 bits), and unsigned
// levels, uitofp(shrui(...)), for c = 4 and 6: the AVX-512
// table lookups (adaround-x86-lookup-levels, x86-avx512=on) against LLVM's
// own lowering of the same arith ops (x86-avx512=off), every value
// compared; and the sums of byte * level per slot, inside a fused reduction,
// against numpy (int8((b << s) mod 256) >> c, unsigned ((b << s) mod 256)
// >> c, computed when this file was written; exact in f32).
// REQUIRES: x86-avx512
// RUN: adaround-opt %s --adaround-to-llvm=x86-avx512=on | %mlir_runner | grep -v base@ > %t.on
// RUN: adaround-opt %s --adaround-to-llvm=x86-avx512=off | %mlir_runner | grep -v base@ > %t.off
// RUN: diff %t.on %t.off
// RUN: FileCheck %s < %t.on
// RUN: adaround-opt %s --adaround-to-llvm=x86-avx512=on | FileCheck %s --check-prefix=LOWERED
// RUN: adaround-opt %s --adaround-to-llvm=x86-avx512=off | FileCheck %s --check-prefix=GENERIC
// LOWERED: llvm.x86.avx512.permvar.sf.512
// GENERIC-NOT: llvm.x86
// CHECK: [-60352,  -38336,  -27328,  -21824,  -19072,  -34048,  -66048,  -131072]
// CHECK: [-38848,  -27584,  -21952,  -19136,  -17728,  -17024,  -33024,  -65536]
// CHECK: [-28608,  -22464,  -19392,  -17856,  -17088,  -16704,  -16512,  -32768]
// CHECK: [-24512,  -20416,  -18368,  -17344,  -16832,  -16576,  -16448,  -16384]
// CHECK: [331840,  288320,  266560,  255680,  250240,  231168,  197120,  131072]
// CHECK: [69440,  59200,  54080,  51520,  50240,  49600,  49280,  32768]

func.func @levels4(%bytes: tensor<256xi8>, %slots: tensor<8xi8>) -> tensor<8x256xf32> {
  %c = arith.constant 4 : i8
  %e = tensor.empty() : tensor<8x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (s, b)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bytes, %slots : tensor<256xi8>, tensor<8xi8>) outs(%e : tensor<8x256xf32>) {
  ^bb0(%byte: i8, %slot: i8, %o: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrsi %up, %c : i8
    %f = arith.sitofp %level : i8 to f32
    linalg.yield %f : f32
  } -> tensor<8x256xf32>
  return %r : tensor<8x256xf32>
}

func.func @sums4(%bytes: tensor<256xi8>, %slots: tensor<8xi8>, %weights: tensor<256xf32>) -> tensor<8xf32> {
  %c = arith.constant 4 : i8
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%bytes, %slots, %weights : tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%byte: i8, %slot: i8, %w: f32, %acc: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrsi %up, %c : i8
    %f = arith.sitofp %level : i8 to f32
    %p = arith.mulf %f, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

func.func @levels5(%bytes: tensor<256xi8>, %slots: tensor<8xi8>) -> tensor<8x256xf32> {
  %c = arith.constant 5 : i8
  %e = tensor.empty() : tensor<8x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (s, b)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bytes, %slots : tensor<256xi8>, tensor<8xi8>) outs(%e : tensor<8x256xf32>) {
  ^bb0(%byte: i8, %slot: i8, %o: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrsi %up, %c : i8
    %f = arith.sitofp %level : i8 to f32
    linalg.yield %f : f32
  } -> tensor<8x256xf32>
  return %r : tensor<8x256xf32>
}

func.func @sums5(%bytes: tensor<256xi8>, %slots: tensor<8xi8>, %weights: tensor<256xf32>) -> tensor<8xf32> {
  %c = arith.constant 5 : i8
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%bytes, %slots, %weights : tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%byte: i8, %slot: i8, %w: f32, %acc: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrsi %up, %c : i8
    %f = arith.sitofp %level : i8 to f32
    %p = arith.mulf %f, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

func.func @levels6(%bytes: tensor<256xi8>, %slots: tensor<8xi8>) -> tensor<8x256xf32> {
  %c = arith.constant 6 : i8
  %e = tensor.empty() : tensor<8x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (s, b)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bytes, %slots : tensor<256xi8>, tensor<8xi8>) outs(%e : tensor<8x256xf32>) {
  ^bb0(%byte: i8, %slot: i8, %o: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrsi %up, %c : i8
    %f = arith.sitofp %level : i8 to f32
    linalg.yield %f : f32
  } -> tensor<8x256xf32>
  return %r : tensor<8x256xf32>
}

func.func @sums6(%bytes: tensor<256xi8>, %slots: tensor<8xi8>, %weights: tensor<256xf32>) -> tensor<8xf32> {
  %c = arith.constant 6 : i8
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%bytes, %slots, %weights : tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%byte: i8, %slot: i8, %w: f32, %acc: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrsi %up, %c : i8
    %f = arith.sitofp %level : i8 to f32
    %p = arith.mulf %f, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

func.func @levels7(%bytes: tensor<256xi8>, %slots: tensor<8xi8>) -> tensor<8x256xf32> {
  %c = arith.constant 7 : i8
  %e = tensor.empty() : tensor<8x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (s, b)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bytes, %slots : tensor<256xi8>, tensor<8xi8>) outs(%e : tensor<8x256xf32>) {
  ^bb0(%byte: i8, %slot: i8, %o: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrsi %up, %c : i8
    %f = arith.sitofp %level : i8 to f32
    linalg.yield %f : f32
  } -> tensor<8x256xf32>
  return %r : tensor<8x256xf32>
}

func.func @sums7(%bytes: tensor<256xi8>, %slots: tensor<8xi8>, %weights: tensor<256xf32>) -> tensor<8xf32> {
  %c = arith.constant 7 : i8
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%bytes, %slots, %weights : tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%byte: i8, %slot: i8, %w: f32, %acc: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrsi %up, %c : i8
    %f = arith.sitofp %level : i8 to f32
    %p = arith.mulf %f, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

func.func @ulevels4(%bytes: tensor<256xi8>, %slots: tensor<8xi8>) -> tensor<8x256xf32> {
  %c = arith.constant 4 : i8
  %e = tensor.empty() : tensor<8x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (s, b)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bytes, %slots : tensor<256xi8>, tensor<8xi8>) outs(%e : tensor<8x256xf32>) {
  ^bb0(%byte: i8, %slot: i8, %o: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrui %up, %c : i8
    %f = arith.uitofp %level : i8 to f32
    linalg.yield %f : f32
  } -> tensor<8x256xf32>
  return %r : tensor<8x256xf32>
}

func.func @usums4(%bytes: tensor<256xi8>, %slots: tensor<8xi8>, %weights: tensor<256xf32>) -> tensor<8xf32> {
  %c = arith.constant 4 : i8
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%bytes, %slots, %weights : tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%byte: i8, %slot: i8, %w: f32, %acc: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrui %up, %c : i8
    %f = arith.uitofp %level : i8 to f32
    %p = arith.mulf %f, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

func.func @ulevels6(%bytes: tensor<256xi8>, %slots: tensor<8xi8>) -> tensor<8x256xf32> {
  %c = arith.constant 6 : i8
  %e = tensor.empty() : tensor<8x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (s, b)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bytes, %slots : tensor<256xi8>, tensor<8xi8>) outs(%e : tensor<8x256xf32>) {
  ^bb0(%byte: i8, %slot: i8, %o: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrui %up, %c : i8
    %f = arith.uitofp %level : i8 to f32
    linalg.yield %f : f32
  } -> tensor<8x256xf32>
  return %r : tensor<8x256xf32>
}

func.func @usums6(%bytes: tensor<256xi8>, %slots: tensor<8xi8>, %weights: tensor<256xf32>) -> tensor<8xf32> {
  %c = arith.constant 6 : i8
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>, affine_map<(s, b) -> (b)>, affine_map<(s, b) -> (s)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%bytes, %slots, %weights : tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%byte: i8, %slot: i8, %w: f32, %acc: f32):
    %up = arith.shli %byte, %slot : i8
    %level = arith.shrui %up, %c : i8
    %f = arith.uitofp %level : i8 to f32
    %p = arith.mulf %f, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %bytes = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, -128, -127, -126, -125, -124, -123, -122, -121, -120, -119, -118, -117, -116, -115, -114, -113, -112, -111, -110, -109, -108, -107, -106, -105, -104, -103, -102, -101, -100, -99, -98, -97, -96, -95, -94, -93, -92, -91, -90, -89, -88, -87, -86, -85, -84, -83, -82, -81, -80, -79, -78, -77, -76, -75, -74, -73, -72, -71, -70, -69, -68, -67, -66, -65, -64, -63, -62, -61, -60, -59, -58, -57, -56, -55, -54, -53, -52, -51, -50, -49, -48, -47, -46, -45, -44, -43, -42, -41, -40, -39, -38, -37, -36, -35, -34, -33, -32, -31, -30, -29, -28, -27, -26, -25, -24, -23, -22, -21, -20, -19, -18, -17, -16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1]> : tensor<256xi8>
  %weights = arith.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0, 130.0, 131.0, 132.0, 133.0, 134.0, 135.0, 136.0, 137.0, 138.0, 139.0, 140.0, 141.0, 142.0, 143.0, 144.0, 145.0, 146.0, 147.0, 148.0, 149.0, 150.0, 151.0, 152.0, 153.0, 154.0, 155.0, 156.0, 157.0, 158.0, 159.0, 160.0, 161.0, 162.0, 163.0, 164.0, 165.0, 166.0, 167.0, 168.0, 169.0, 170.0, 171.0, 172.0, 173.0, 174.0, 175.0, 176.0, 177.0, 178.0, 179.0, 180.0, 181.0, 182.0, 183.0, 184.0, 185.0, 186.0, 187.0, 188.0, 189.0, 190.0, 191.0, 192.0, 193.0, 194.0, 195.0, 196.0, 197.0, 198.0, 199.0, 200.0, 201.0, 202.0, 203.0, 204.0, 205.0, 206.0, 207.0, 208.0, 209.0, 210.0, 211.0, 212.0, 213.0, 214.0, 215.0, 216.0, 217.0, 218.0, 219.0, 220.0, 221.0, 222.0, 223.0, 224.0, 225.0, 226.0, 227.0, 228.0, 229.0, 230.0, 231.0, 232.0, 233.0, 234.0, 235.0, 236.0, 237.0, 238.0, 239.0, 240.0, 241.0, 242.0, 243.0, 244.0, 245.0, 246.0, 247.0, 248.0, 249.0, 250.0, 251.0, 252.0, 253.0, 254.0, 255.0]> : tensor<256xf32>
  %slots = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7]> : tensor<8xi8>
  %s4 = call @sums4(%bytes, %slots, %weights) : (tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) -> tensor<8xf32>
  %s4u = tensor.cast %s4 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%s4u) : (tensor<*xf32>) -> ()
  %s5 = call @sums5(%bytes, %slots, %weights) : (tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) -> tensor<8xf32>
  %s5u = tensor.cast %s5 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%s5u) : (tensor<*xf32>) -> ()
  %s6 = call @sums6(%bytes, %slots, %weights) : (tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) -> tensor<8xf32>
  %s6u = tensor.cast %s6 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%s6u) : (tensor<*xf32>) -> ()
  %s7 = call @sums7(%bytes, %slots, %weights) : (tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) -> tensor<8xf32>
  %s7u = tensor.cast %s7 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%s7u) : (tensor<*xf32>) -> ()
  %u4 = call @usums4(%bytes, %slots, %weights) : (tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) -> tensor<8xf32>
  %u4u = tensor.cast %u4 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u4u) : (tensor<*xf32>) -> ()
  %ul4 = call @ulevels4(%bytes, %slots) : (tensor<256xi8>, tensor<8xi8>) -> tensor<8x256xf32>
  %ul4u = tensor.cast %ul4 : tensor<8x256xf32> to tensor<*xf32>
  call @printMemrefF32(%ul4u) : (tensor<*xf32>) -> ()
  %u6 = call @usums6(%bytes, %slots, %weights) : (tensor<256xi8>, tensor<8xi8>, tensor<256xf32>) -> tensor<8xf32>
  %u6u = tensor.cast %u6 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u6u) : (tensor<*xf32>) -> ()
  %ul6 = call @ulevels6(%bytes, %slots) : (tensor<256xi8>, tensor<8xi8>) -> tensor<8x256xf32>
  %ul6u = tensor.cast %ul6 : tensor<8x256xf32> to tensor<*xf32>
  call @printMemrefF32(%ul6u) : (tensor<*xf32>) -> ()
  %l4 = call @levels4(%bytes, %slots) : (tensor<256xi8>, tensor<8xi8>) -> tensor<8x256xf32>
  %l4u = tensor.cast %l4 : tensor<8x256xf32> to tensor<*xf32>
  call @printMemrefF32(%l4u) : (tensor<*xf32>) -> ()
  %l5 = call @levels5(%bytes, %slots) : (tensor<256xi8>, tensor<8xi8>) -> tensor<8x256xf32>
  %l5u = tensor.cast %l5 : tensor<8x256xf32> to tensor<*xf32>
  call @printMemrefF32(%l5u) : (tensor<*xf32>) -> ()
  %l6 = call @levels6(%bytes, %slots) : (tensor<256xi8>, tensor<8xi8>) -> tensor<8x256xf32>
  %l6u = tensor.cast %l6 : tensor<8x256xf32> to tensor<*xf32>
  call @printMemrefF32(%l6u) : (tensor<*xf32>) -> ()
  %l7 = call @levels7(%bytes, %slots) : (tensor<256xi8>, tensor<8xi8>) -> tensor<8x256xf32>
  %l7u = tensor.cast %l7 : tensor<8x256xf32> to tensor<*xf32>
  call @printMemrefF32(%l7u) : (tensor<*xf32>) -> ()
  return
}
