# args: 6
# Fannkuch-redux: for every permutation of 1..n, count prefix reversals until 1 comes first;
# prints a signed checksum over permutations and the maximum flip count.
import sys


def run(n):
    perm1 = []
    perm = []
    count = []
    for i in range(n):
        perm1.append(i)
        perm.append(0)
        count.append(0)
    max_flips = 0
    checksum = 0
    perm_count = 0
    r = n
    while r > 0:
        while r != 1:
            count[r - 1] = r
            r = r - 1
        for i in range(n):
            perm[i] = perm1[i]
        flips = 0
        k = perm[0]
        while k != 0:
            lo = 0
            hi = k
            while lo < hi:
                t = perm[lo]
                perm[lo] = perm[hi]
                perm[hi] = t
                lo = lo + 1
                hi = hi - 1
            flips = flips + 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        if perm_count % 2 == 0:
            checksum = checksum + flips
        else:
            checksum = checksum - flips
        perm_count = perm_count + 1
        done = 1
        while r != n:
            first = perm1[0]
            for i in range(r):
                perm1[i] = perm1[i + 1]
            perm1[r] = first
            count[r] = count[r] - 1
            if count[r] > 0:
                done = 0
                break
            r = r + 1
        if done == 1:
            r = 0
    return checksum, max_flips


n = 9
if len(sys.argv) > 1:
    n = int(sys.argv[1])
checksum, max_flips = run(n)
print(checksum, max_flips)
