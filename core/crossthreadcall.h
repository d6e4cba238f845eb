#pragma once

#include <QMetaObject>
#include <QObject>

#include <utility>

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void *address);
extern "C" void __tsan_release(void *address);
#endif

namespace fanout {

// Qt hands a call to another thread through a mutex and a semaphore inside libQt6Core, which is
// not built with ThreadSanitizer, so it cannot see that the hand-over orders the two threads.
// Under ThreadSanitizer these calls tell it: what the caller wrote before the call is visible to
// `work`, and (for the blocking call) what `work` wrote is visible to the caller after it. Qt builds
// the call's functor inside invokeMethod, after the release: tests/sanitizers/tsan.supp names
// that constructor.

/// Runs `work` on `context`'s thread and waits for it to return.
template<typename Work>
void invokeBlocking(QObject *context, Work &&work)
{
#if defined(__SANITIZE_THREAD__)
    __tsan_release(context);
    QMetaObject::invokeMethod(
        context,
        [context, &work] {
            __tsan_acquire(context);
            work();
            __tsan_release(context);
        },
        Qt::BlockingQueuedConnection);
    __tsan_acquire(context);
#else
    QMetaObject::invokeMethod(context, std::forward<Work>(work), Qt::BlockingQueuedConnection);
#endif
}

/// Posts `work` to `context`'s thread without waiting.
template<typename Work>
void invokeQueued(QObject *context, Work work)
{
#if defined(__SANITIZE_THREAD__)
    __tsan_release(context);
    QMetaObject::invokeMethod(
        context,
        [context, work = std::move(work)] {
            __tsan_acquire(context);
            work();
        },
        Qt::QueuedConnection);
#else
    QMetaObject::invokeMethod(context, std::move(work), Qt::QueuedConnection);
#endif
}

}
