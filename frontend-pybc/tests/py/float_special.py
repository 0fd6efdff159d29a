# inf, nan and negative zero: printing, arithmetic and comparisons.
inf = float('inf')
nan = float('nan')
print(inf, -inf, nan, -nan, repr(inf), str(-inf))
print(inf + 1, inf - inf, inf * 0, inf * -1, 1 / inf, -1 / inf, inf / inf)
print(inf > 1e308, -inf < -1e308, inf == inf, nan == nan, nan != nan, nan < 1, nan > 1)
print(1e308 * 10, -1e308 * 10, 1e308 * 10 == inf)
z = -0.0
print(z, 0.0, z == 0.0, -z, abs(z), z * 5, str(z), repr(z))
print([inf, nan, z], (inf, -0.0))
print(max(1.0, inf), min(-inf, 5), max(3, 2.5), min(0.0, -0.0), max(-0.0, 0.0))
print(int(1e18), round(1.5e300) > 0)
print(float('1e500'), float('-1e500'), float('1e-500'), float('-1e-500'))
import math
print(math.isnan(nan), math.isinf(-inf), math.isfinite(1e308), math.isinf(1e308))
print(math.copysign(1.0, -0.0), math.copysign(3, -1), math.fabs(-0.0))
print(0.0 == -0.0, 1 / 1e-310, 5e-324 / 2, -5e-324 / 2)
print(inf % 1, 5.0 % inf, -5.0 % inf)
vals = [3.5, nan, 1.0, -inf, 0.0]
s = 0.0
for v in vals:
    if v == v:
        s += v
print(s)
print(sum([inf, -inf]), sum([1e308, 1e308]), sum([0.1] * 10))
