# args: 1000
# N-body: a symplectic integrator for the Jovian planets, bodies kept in parallel lists of floats.
import sys
import math

PI = 3.141592653589793
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24


def make_bodies():
    xs = [0.0, 4.84143144246472090, 8.34336671824457987, 12.8943695621391310, 15.3796971148509165]
    ys = [0.0, -1.16032004402742839, 4.12479856412430479, -15.1111514016986312, -25.9193146099879641]
    zs = [0.0, -0.103622044471123109, -0.403523417114321381, -0.223307578892655734, 0.179258772950371181]
    vxs = [0.0, 0.00166007664274403694, -0.00276742510726862411, 0.00296460137564761618, 0.00268067772490389322]
    vys = [0.0, 0.00769901118419740425, 0.00499852801234917238, 0.00237847173959480950, 0.00162824170038242295]
    vzs = [0.0, -0.0000690460016972063023, 0.0000230417297573763929, -0.0000296589568540237556, -0.0000951592254519715870]
    ms = [1.0, 0.000954791938424326609, 0.000285885980666130812, 0.0000436624404335156298, 0.0000515138902046611451]
    for i in range(5):
        vxs[i] = vxs[i] * DAYS_PER_YEAR
        vys[i] = vys[i] * DAYS_PER_YEAR
        vzs[i] = vzs[i] * DAYS_PER_YEAR
        ms[i] = ms[i] * SOLAR_MASS
    return xs, ys, zs, vxs, vys, vzs, ms


def offset_momentum(vxs, vys, vzs, ms):
    px = 0.0
    py = 0.0
    pz = 0.0
    for i in range(5):
        px = px + vxs[i] * ms[i]
        py = py + vys[i] * ms[i]
        pz = pz + vzs[i] * ms[i]
    vxs[0] = -px / SOLAR_MASS
    vys[0] = -py / SOLAR_MASS
    vzs[0] = -pz / SOLAR_MASS


def energy(xs, ys, zs, vxs, vys, vzs, ms):
    e = 0.0
    for i in range(5):
        e = e + 0.5 * ms[i] * (vxs[i] * vxs[i] + vys[i] * vys[i] + vzs[i] * vzs[i])
        for j in range(i + 1, 5):
            dx = xs[i] - xs[j]
            dy = ys[i] - ys[j]
            dz = zs[i] - zs[j]
            e = e - ms[i] * ms[j] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(xs, ys, zs, vxs, vys, vzs, ms, dt, steps):
    for s in range(steps):
        for i in range(5):
            xi = xs[i]
            yi = ys[i]
            zi = zs[i]
            mi = ms[i]
            for j in range(i + 1, 5):
                dx = xi - xs[j]
                dy = yi - ys[j]
                dz = zi - zs[j]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                mj = ms[j]
                vxs[i] = vxs[i] - dx * mj * mag
                vys[i] = vys[i] - dy * mj * mag
                vzs[i] = vzs[i] - dz * mj * mag
                vxs[j] = vxs[j] + dx * mi * mag
                vys[j] = vys[j] + dy * mi * mag
                vzs[j] = vzs[j] + dz * mi * mag
        for i in range(5):
            xs[i] = xs[i] + dt * vxs[i]
            ys[i] = ys[i] + dt * vys[i]
            zs[i] = zs[i] + dt * vzs[i]


def run(n):
    xs, ys, zs, vxs, vys, vzs, ms = make_bodies()
    offset_momentum(vxs, vys, vzs, ms)
    e0 = energy(xs, ys, zs, vxs, vys, vzs, ms)
    advance(xs, ys, zs, vxs, vys, vzs, ms, 0.01, n)
    e1 = energy(xs, ys, zs, vxs, vys, vzs, ms)
    print(int(e0 * 1000000000.0))
    print(int(e1 * 1000000000.0))


n = 250000
if len(sys.argv) > 1:
    n = int(sys.argv[1])
run(n)
