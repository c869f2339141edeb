// RUN: adaround-opt %s --adaround-vectorize-elementwise | FileCheck %s

// A function of vector ops only, none of the dialects whose patterns the
// pass uses loaded by the input (it crashed here before).
// transpose(broadcast(x)) that keeps the added leading dimension in place
// becomes broadcast(transpose(broadcast(x))); the elementwise ops on the
// two broadcasts (of different shapes: 2x3 and 3) then run before the 4
// rows are added, and upstream's sinking moves the transposes after them:
// the sum and product on 2x3, one transpose, one broadcast to the rows.
// CHECK-LABEL: func.func @rows_added_last
// CHECK-SAME: (%[[A:.*]]: vector<2x3xf32>, %[[B:.*]]: vector<3xf32>)
// CHECK: %[[BB:.*]] = vector.broadcast %[[B]] : vector<3xf32> to vector<2x3xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[A]], %[[BB]] : vector<2x3xf32>
// CHECK: %[[TWICE:.*]] = arith.mulf %[[SUM]], %{{.*}} : vector<2x3xf32>
// CHECK: %[[T:.*]] = vector.transpose %[[TWICE]], [1, 0] : vector<2x3xf32> to vector<3x2xf32>
// CHECK: %[[ROWS:.*]] = vector.broadcast %[[T]] : vector<3x2xf32> to vector<4x3x2xf32>
// CHECK: return %[[ROWS]]
func.func @rows_added_last(%a: vector<2x3xf32>, %b: vector<3xf32>) -> vector<4x3x2xf32> {
  %two = arith.constant dense<2.0> : vector<4x3x2xf32>
  %ba = vector.broadcast %a : vector<2x3xf32> to vector<4x2x3xf32>
  %ta = vector.transpose %ba, [0, 2, 1] : vector<4x2x3xf32> to vector<4x3x2xf32>
  %bb = vector.broadcast %b : vector<3xf32> to vector<4x2x3xf32>
  %tb = vector.transpose %bb, [0, 2, 1] : vector<4x2x3xf32> to vector<4x3x2xf32>
  %s = arith.addf %ta, %tb : vector<4x3x2xf32>
  %m = arith.mulf %s, %two : vector<4x3x2xf32>
  return %m : vector<4x3x2xf32>
}

// A transpose that moves the added dimension is left alone, and so is an
// elementwise op with an operand that is not a broadcast.
// CHECK-LABEL: func.func @rows_moved
// CHECK: vector.transpose %{{.*}}, [1, 0, 2] : vector<4x2x3xf32> to vector<2x4x3xf32>
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<2x4x3xf32>
func.func @rows_moved(%a: vector<2x3xf32>, %c: vector<2x4x3xf32>) -> vector<2x4x3xf32> {
  %ba = vector.broadcast %a : vector<2x3xf32> to vector<4x2x3xf32>
  %ta = vector.transpose %ba, [1, 0, 2] : vector<4x2x3xf32> to vector<2x4x3xf32>
  %s = arith.addf %ta, %c : vector<2x4x3xf32>
  return %s : vector<2x4x3xf32>
}
