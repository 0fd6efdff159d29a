# Hand-written sorting algorithms agree with sorted().
def insertion(xs):
    xs = xs[:]
    for i in range(1, len(xs)):
        key = xs[i]
        j = i - 1
        while j >= 0 and xs[j] > key:
            xs[j + 1] = xs[j]
            j -= 1
        xs[j + 1] = key
    return xs
def merge_sort(xs):
    if len(xs) <= 1:
        return xs
    mid = len(xs) // 2
    a = merge_sort(xs[:mid])
    b = merge_sort(xs[mid:])
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    return out + a[i:] + b[j:]
def quick(xs):
    if len(xs) < 2:
        return xs
    pivot = xs[len(xs) // 2]
    return quick([x for x in xs if x < pivot]) + [x for x in xs if x == pivot] + quick([x for x in xs if x > pivot])
seed = 12345
data = []
for i in range(60):
    seed = (seed * 1103515245 + 12345) % 2147483648
    data.append(seed % 1000 - 500)
print(data[:10])
s1 = insertion(data)
s2 = merge_sort(data)
s3 = quick(data)
print(s1[:10], s1[-5:])
print(s1 == s2 == s3 == sorted(data))
fl = [x / 7 for x in data[:20]]
print(merge_sort(fl)[:5], quick(fl)[-3:])
words = 'the quick brown fox jumps over the lazy dog again'.split()
print(insertion(words), merge_sort(words) == sorted(words))
def bsearch(xs, target):
    lo, hi = 0, len(xs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        if xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
print([bsearch(s1, v) >= 0 for v in [data[0], data[5], 10000, -10000]])
