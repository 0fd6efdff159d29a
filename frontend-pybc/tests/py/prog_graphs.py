# Graph algorithms on dicts of lists: BFS, DFS, Dijkstra with a hand-written binary heap,
# topological sort and connected components.
graph = {'a': [('b', 7), ('c', 9), ('f', 14)], 'b': [('a', 7), ('c', 10), ('d', 15)],
         'c': [('a', 9), ('b', 10), ('d', 11), ('f', 2)], 'd': [('b', 15), ('c', 11), ('e', 6)],
         'e': [('d', 6), ('f', 9)], 'f': [('a', 14), ('c', 2), ('e', 9)], 'g': []}
def bfs(start):
    seen = {start: 0}
    queue = [start]
    head = 0
    while head < len(queue):
        u = queue[head]
        head += 1
        for v, w in graph[u]:
            if v not in seen:
                seen[v] = seen[u] + 1
                queue.append(v)
    return seen
def dfs(u, seen, order):
    seen[u] = True
    order.append(u)
    for v, w in sorted(graph[u]):
        if v not in seen:
            dfs(v, seen, order)
    return order
def heap_push(h, item):
    h.append(item)
    i = len(h) - 1
    while i > 0:
        p = (i - 1) // 2
        if h[p] <= h[i]:
            break
        h[p], h[i] = h[i], h[p]
        i = p
def heap_pop(h):
    top = h[0]
    last = h.pop()
    if h:
        h[0] = last
        i = 0
        while True:
            l = 2 * i + 1
            r = l + 1
            m = i
            if l < len(h) and h[l] < h[m]:
                m = l
            if r < len(h) and h[r] < h[m]:
                m = r
            if m == i:
                break
            h[m], h[i] = h[i], h[m]
            i = m
    return top
def dijkstra(src):
    dist = {src: 0}
    prev = {}
    h = [(0, src)]
    while h:
        d, u = heap_pop(h)
        if d > dist.get(u, d):
            continue
        for v, w in graph[u]:
            nd = d + w
            if v not in dist or nd < dist[v]:
                dist[v] = nd
                prev[v] = u
                heap_push(h, (nd, v))
    return dist, prev
print(bfs('a'))
print(dfs('a', {}, []))
dist, prev = dijkstra('a')
print(sorted(dist.items()))
path = ['e']
while path[-1] != 'a':
    path.append(prev[path[-1]])
print(path[::-1], dist['e'])
h = []
for v in [5, 3, 9, 1, 7, 2, 8, 2.5, -1]:
    heap_push(h, v)
print([heap_pop(h) for _ in range(9)])
deps = {'shop': ['wake'], 'cook': ['shop', 'wake'], 'eat': ['cook'], 'wake': [], 'wash': ['eat'], 'nap': ['eat', 'wash']}
order = []
state = {}
def visit(n):
    if state.get(n) == 'done':
        return
    state[n] = 'active'
    for m in deps[n]:
        visit(m)
    state[n] = 'done'
    order.append(n)
for n in deps:
    visit(n)
print(order)
comps = []
seen = {}
for n in graph:
    if n not in seen:
        comps.append(sorted(dfs(n, seen, [])))
print(comps)
