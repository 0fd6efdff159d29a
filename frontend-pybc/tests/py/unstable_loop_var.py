# A loop variable that turns from int to float to big int halfway through.
x = 1
for i in range(60):
    if i < 20:
        x = x * 3 + i
    elif i < 40:
        x = x / 7 + 0.5
    else:
        x = int(x) * 1000003 + i
    print(i, type(x), x)
acc = 0
for i in range(90):
    acc = acc * 2 + 1
    if i == 30:
        acc = acc + 0.5
    if i == 60:
        acc = int(acc)
print(acc)
v = 10
for step in range(12):
    if step % 3 == 0:
        v = v + 1
    elif step % 3 == 1:
        v = v * 1.5
    else:
        v = v * 10 ** 18
    print(step, v)
