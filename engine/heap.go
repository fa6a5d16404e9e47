package engine

import "container/heap"

// schedHeap orders entries by due time, earliest first. It belongs to the
// scheduler and is only touched with its mu held.
type schedHeap []*entry

func (h schedHeap) Len() int           { return len(h) }
func (h schedHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h schedHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hidx = i
	h[j].hidx = j
}
func (h *schedHeap) Push(x any) {
	en := x.(*entry)
	en.hidx = len(*h)
	*h = append(*h, en)
}
func (h *schedHeap) Pop() any {
	old := *h
	n := len(old)
	en := old[n-1]
	old[n-1] = nil
	en.hidx = -1
	*h = old[:n-1]
	return en
}

func heapPush(h *schedHeap, en *entry) { heap.Push(h, en) }
func heapPop(h *schedHeap) *entry      { return heap.Pop(h).(*entry) }
func heapFix(h *schedHeap, en *entry)  { heap.Fix(h, en.hidx) }
