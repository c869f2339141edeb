#include "adaround/Numerics/Rounding.h"
#include <gtest/gtest.h>
TEST(Rounding, Placeholder) {}
