/* Progressive enhancement for exercises: read a text aloud (speech synthesis, fr-CA) and record
   an oral production in the browser (MediaRecorder). Pages work without it. */
(function () {
  "use strict";

  function frenchVoice() {
    var voices = window.speechSynthesis ? window.speechSynthesis.getVoices() : [];
    return voices.find(function (v) { return v.lang === "fr-CA"; }) ||
      voices.find(function (v) { return v.lang && v.lang.indexOf("fr") === 0; }) || null;
  }

  document.querySelectorAll("[data-speak]").forEach(function (button) {
    if (!("speechSynthesis" in window)) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      window.speechSynthesis.cancel();
      var utterance = new SpeechSynthesisUtterance(button.getAttribute("data-speak"));
      utterance.lang = "fr-CA";
      utterance.rate = parseFloat(button.getAttribute("data-rate") || "0.9");
      var voice = frenchVoice();
      if (voice) { utterance.voice = voice; }
      window.speechSynthesis.speak(utterance);
    });
  });

  var recorderBox = document.querySelector(".recorder");
  if (!recorderBox || !window.MediaRecorder || !navigator.mediaDevices) { return; }
  recorderBox.hidden = false;
  var startButton = recorderBox.querySelector("[data-record]");
  var stopButton = recorderBox.querySelector("[data-stop]");
  var status = recorderBox.querySelector("[data-status]");
  var preview = recorderBox.querySelector("[data-preview]");
  var fileInput = document.querySelector("input[type=file][name=recording]");
  var maxSeconds = parseInt(recorderBox.getAttribute("data-max-seconds") || "120", 10);
  var recorder = null, chunks = [], timer = null;

  startButton.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { chunks.push(e.data); };
      recorder.onstop = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        var type = recorder.mimeType || "audio/webm";
        var ext = type.indexOf("ogg") >= 0 ? ".ogg" : (type.indexOf("mp4") >= 0 ? ".m4a" : ".webm");
        var blob = new Blob(chunks, { type: type });
        var file = new File([blob], "enregistrement" + ext, { type: type });
        var transfer = new DataTransfer();
        transfer.items.add(file);
        fileInput.files = transfer.files;
        preview.src = URL.createObjectURL(blob);
        preview.hidden = false;
        status.textContent = status.getAttribute("data-done");
      };
      recorder.start();
      startButton.disabled = true; stopButton.disabled = false;
      status.textContent = status.getAttribute("data-recording");
      timer = setTimeout(function () { if (recorder.state === "recording") { recorder.stop(); } }, maxSeconds * 1000);
    }).catch(function () { status.textContent = status.getAttribute("data-error"); });
  });
  stopButton.addEventListener("click", function () {
    clearTimeout(timer);
    if (recorder && recorder.state === "recording") { recorder.stop(); }
    startButton.disabled = false; stopButton.disabled = true;
  });
})();
